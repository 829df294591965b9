//! Sample user programs, one per gate set (plain, SHA-256, recursion), proved like a user would: for
//! the command line's `user-proof`, tests and benchmarks.

use super::*;

impl Prover {
    /// Proves a sample user program of the shape's size (tests, demo, benchmarks); returns its key and
    /// proof.
    pub fn prove_user_program(
        &self,
        salt: u64,
        secret: [u64; 4],
    ) -> Result<(BVk, BProof), ProverError> {
        let rounds = self.keys().user_shape().program_rounds;
        self.prove_user_program_of(rounds, salt, secret)
    }

    /// Proves a sample user program of `rounds` hash rounds: programs of another size than the shape's
    /// are of another [`UserFamily`].
    pub fn prove_user_program_of(
        &self,
        rounds: usize,
        salt: u64,
        secret: [u64; 4],
    ) -> Result<(BVk, BProof), ProverError> {
        let id = CircuitId::UserProgram(rounds as u32, salt);
        let circuit = crate::circuits::UserProgramCircuit {
            salt,
            rounds,
            secret: Some(secret),
        };
        let proof = self.prove(id, &circuit)?;
        Ok((self.keys().vk(id)?, proof))
    }

    /// The basic proof of a one-request batch (the sample programs of the sha256 and recursion gate
    /// sets are zkstream's own circuits over it).
    fn prove_one_request(
        &self,
        request: zkstream_types::Request,
    ) -> Result<crate::layers::ChildProof, ProverError> {
        use zkstream_types::{BatchInput, Digest};
        let t = request.circuit_type();
        let batch = BatchInput {
            batch_number: 1,
            protocol_version: 1,
            previous_batch_commitment: Digest::ZERO,
            requests: vec![request],
        };
        let witness = crate::queue::witness_batch(&batch, self.keys().shape())?;
        let job = witness
            .jobs
            .get(&t)
            .and_then(|jobs| jobs.first())
            .ok_or_else(|| ProverError::Config(format!("no {t} circuit for the program")))?;
        self.prove_basic(job)
    }

    /// Proves a sample program of the *sha256* gate set (tests, demo, benchmarks): zkstream's `Sha256`
    /// basic circuit over one request of `data` — one program (one key) for every input. Returns its
    /// key and proof.
    pub fn prove_sha_user_program(&self, data: &[u8]) -> Result<(BVk, BProof), ProverError> {
        use zkstream_types::{CircuitType, Request};
        let proof = self
            .prove_one_request(Request::Sha256 {
                data: data.to_vec(),
            })?
            .proof;
        Ok((
            self.keys().vk(CircuitId::Basic(CircuitType::SHA256))?,
            proof,
        ))
    }

    /// Proves a sample program of the *recursion* gate set (tests, demo, benchmarks): zkstream's
    /// Poseidon2 leaf over one basic proof hashing `inputs` — a recursive proof, one program (one key)
    /// for every input. Returns its key and proof.
    pub fn prove_recursion_user_program(
        &self,
        inputs: &[u64],
    ) -> Result<(BVk, BProof), ProverError> {
        use zkstream_types::{CircuitType, Request};
        let t = CircuitType::POSEIDON2;
        let basic = self.prove_one_request(Request::Poseidon2Hash {
            inputs: inputs.to_vec(),
        })?;
        let leaf = self.prove_leaf(t, &[basic])?.proof;
        Ok((self.keys().vk(CircuitId::Leaf(t))?, leaf))
    }
}
