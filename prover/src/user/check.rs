//! The native checks a user's submission passes before it may enter a chunk: a supported gate set
//! and size (its family), the program id, the public inputs, and the proof itself.

use super::*;

/// The largest domain of a user's circuit a chunk verifies (2^20 rows).
pub const MAX_USER_DOMAIN: u64 = 1 << 20;

/// The most public inputs a user's proof may have (each is 8 bytes of its commitment).
pub const MAX_USER_PUBLIC_INPUTS: usize = 64;

impl Prover {
    /// The family of a user's key, made known to the key store: any circuit built with one of
    /// zkstream's user gate sets ([`USER_LAYOUTS`]: the geometry, gates, lookup tables and FRI blow-up
    /// of [`crate::circuits::UserProgramCircuit`], of the `Sha256` basic circuit, or of the recursion
    /// circuits), of any domain up
    /// to [`MAX_USER_DOMAIN`] and up to [`MAX_USER_PUBLIC_INPUTS`] public inputs. Other gate sets are
    /// refused: boojum's recursive verifier is typed by the gates it evaluates, so zkstream verifies
    /// only those it was built for.
    pub fn user_family(&self, vk: &BVk) -> Result<UserFamily, UserProofError> {
        let layout = self.user_gate_set(vk)?;
        self.keys()
            .register_user_family(vk, layout)
            .map_err(|e| UserProofError::Unsupported(format!("its family cannot be kept ({e})")))
    }

    /// The user gate set a key was built with ([`Prover::user_family`]'s checks), without making its
    /// family known.
    fn user_gate_set(&self, vk: &BVk) -> Result<Layout, UserProofError> {
        let theirs = &vk.fixed_parameters;
        if theirs.domain_size > MAX_USER_DOMAIN || !theirs.domain_size.is_power_of_two() {
            return Err(UserProofError::Unsupported(format!(
                "domain of {} rows (at most {MAX_USER_DOMAIN}, a power of two)",
                theirs.domain_size
            )));
        }
        if theirs.public_inputs_locations.len() > MAX_USER_PUBLIC_INPUTS {
            return Err(UserProofError::Unsupported(format!(
                "{} public inputs (at most {MAX_USER_PUBLIC_INPUTS})",
                theirs.public_inputs_locations.len()
            )));
        }
        let columns = crate::circuits::config::GEOMETRY.num_columns_under_copy_permutation;
        if theirs
            .public_inputs_locations
            .iter()
            .any(|(column, row)| *row as u64 >= theirs.domain_size || *column >= columns)
        {
            return Err(UserProofError::Unsupported(
                "a public input outside the domain".into(),
            ));
        }
        if theirs.total_tables_len > theirs.domain_size {
            return Err(UserProofError::Unsupported(format!(
                "lookup tables of {} rows in a domain of {}",
                theirs.total_tables_len, theirs.domain_size
            )));
        }
        for layout in USER_LAYOUTS {
            let reference = self.user_reference(layout)?;
            let params = &reference.fixed_parameters;
            // Everything but the size and the public inputs' places must be the gate set's.
            let mut normalized = theirs.clone();
            normalized.domain_size = params.domain_size;
            normalized.public_inputs_locations = params.public_inputs_locations.clone();
            if normalized == *params {
                return Ok(layout);
            }
        }
        Err(UserProofError::Unsupported(
            "its gate set, geometry or FRI blow-up is none of zkstream's user-circuit gate sets \
             (plain, sha256, recursion)"
                .into(),
        ))
    }

    /// The key whose fixed parameters (but for the domain and the public inputs' places) define a
    /// user gate set.
    fn user_reference(&self, layout: Layout) -> Result<BVk, UserProofError> {
        let id = match layout {
            Layout::Plain => {
                CircuitId::UserProgram(self.keys().user_shape().program_rounds as u32, 0)
            }
            Layout::Sha => CircuitId::Basic(zkstream_types::CircuitType::SHA256),
            Layout::Recursion => CircuitId::Leaf(zkstream_types::CircuitType::POSEIDON2),
            Layout::Keccak => {
                return Err(UserProofError::Unsupported(format!(
                    "the {layout:?} gate set is not a user gate set"
                )))
            }
        };
        self.keys()
            .vk(id)
            .map_err(|e| UserProofError::Unsupported(format!("no reference key ({e})")))
    }

    /// Checks a user's submission natively: supported key, matching program id and public inputs, and
    /// a proof that verifies. Only submissions that pass may be chunked. Returns the key's family.
    pub fn check_user_proof(
        &self,
        program: &[u8; 32],
        public_inputs: &[u8],
        vk: &BVk,
        proof: &BProof,
    ) -> Result<UserFamily, UserProofError> {
        let layout = self.user_gate_set(vk)?;
        let expected = self.keys().profile().basic.proof_config();
        if proof.proof_config != expected {
            return Err(UserProofError::UnsupportedConfig);
        }
        let actual = program_id(vk);
        if &actual != program {
            return Err(UserProofError::WrongProgramId {
                given: hex::encode(program),
                actual: hex::encode(actual),
            });
        }
        if public_input_bytes(proof) != public_inputs {
            return Err(UserProofError::WrongPublicInputs);
        }
        if !verify_native(layout, vk, &expected, proof) {
            return Err(UserProofError::DoesNotVerify);
        }
        // Only a key with a proof that verifies makes its family known (and kept on disk).
        let family = self
            .keys()
            .register_user_family(vk, layout)
            .map_err(|e| UserProofError::Unsupported(format!("its family cannot be kept ({e})")))?;
        Ok(family)
    }
}
