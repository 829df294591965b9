//! User-proof mode's tree: chunk proofs over users' proofs, node proofs over chunks and nodes, and
//! the check of a run's aggregate.

use super::*;

impl Prover {
    /// The one family of a run's or a chunk's proofs.
    pub(super) fn family_of_all(
        &self,
        parent: &str,
        vks: &[&BVk],
    ) -> Result<UserFamily, ProverError> {
        let first = vks.first().ok_or_else(|| ProverError::WrongChildCount {
            parent: parent.to_string(),
            max: self.keys().user_shape().proofs_per_chunk,
            got: 0,
        })?;
        let family = self
            .user_family(first)
            .map_err(|e| ProverError::ChildRejected {
                parent: parent.to_string(),
                index: 0,
                reason: e.to_string(),
            })?;
        if let Some(index) = vks.iter().position(|vk| UserFamily::of(vk) != family) {
            return Err(ProverError::ChildRejected {
                parent: parent.to_string(),
                index,
                reason: format!("not of family {family}: a chunk and a run hold one family"),
            });
        }
        Ok(family)
    }

    /// Proves one chunk over checked user proofs of one family (1 to `proofs_per_chunk`), in leaf
    /// order.
    pub fn prove_user_chunk(&self, proofs: &[(BVk, BProof)]) -> Result<BProof, ProverError> {
        let vks: Vec<&BVk> = proofs.iter().map(|(vk, _)| vk).collect();
        let family = self.family_of_all("user-chunk", &vks)?;
        let id = CircuitId::UserChunk(family);
        let max = self.keys().user_shape().proofs_per_chunk;
        if proofs.len() > max {
            return Err(ProverError::WrongChildCount {
                parent: id.to_string(),
                max,
                got: proofs.len(),
            });
        }
        let mut leaves = Vec::with_capacity(proofs.len());
        for (index, (vk, proof)) in proofs.iter().enumerate() {
            if self.prechecks() {
                let pi = public_input_bytes(proof);
                self.check_user_proof(&program_id(vk), &pi, vk, proof)
                    .map_err(|e| ProverError::ChildRejected {
                        parent: id.to_string(),
                        index,
                        reason: e.to_string(),
                    })?;
            }
            leaves.push(user_commitment(vk, proof));
        }
        let circuit = self.keys().user_chunk_circuit(family, proofs.to_vec())?;
        let proof = self.prove(id, &circuit)?;
        if public_inputs_u64(&proof) != Summary::of_leaves(&leaves, max)?.public_inputs() {
            return Err(ProverError::SelfCheckFailed(format!(
                "{id}: its public input is not the chunk's summary"
            )));
        }
        Ok(proof)
    }

    /// Proves a node of `family`'s tree at `level` (1 to the shape's levels) over its children's
    /// proofs (chunks at level 1, nodes of `level − 1` above), in order; every child but the last must
    /// be full.
    pub fn prove_user_node(
        &self,
        family: UserFamily,
        level: u32,
        children: &[BProof],
    ) -> Result<BProof, ProverError> {
        let id = CircuitId::UserNode(family, level);
        let shape = *self.keys().user_shape();
        if level == 0 || level > shape.levels {
            return Err(ProverError::Config(format!(
                "{id}: the shape has node levels 1 to {}",
                shape.levels
            )));
        }
        if children.is_empty() || children.len() > shape.node_arity {
            return Err(ProverError::WrongChildCount {
                parent: id.to_string(),
                max: shape.node_arity,
                got: children.len(),
            });
        }
        let child = self
            .keys()
            .child_of(id)
            .ok_or_else(|| ProverError::Config(format!("{id} has no child")))?;
        let child_capacity = shape.capacity_at(level - 1);
        let mut summaries = Vec::with_capacity(children.len());
        for (index, proof) in children.iter().enumerate() {
            let reject = |reason: String| ProverError::ChildRejected {
                parent: id.to_string(),
                index,
                reason,
            };
            let summary = Summary::of_proof(proof);
            if self.prechecks() {
                if !self.verify(child, proof)? {
                    return Err(reject(format!("does not verify against the {child} key")));
                }
                match summary {
                    None => return Err(reject("its public input is not a summary".into())),
                    Some(s) if index + 1 < children.len() && s.n != child_capacity as u64 => {
                        return Err(reject(format!(
                            "only the last child may be partial ({} of {child_capacity} leaves)",
                            s.n
                        )))
                    }
                    Some(_) => {}
                }
            }
            summaries.extend(summary);
        }
        let circuit = self
            .keys()
            .user_node_circuit(family, level, children.to_vec())?;
        let proof = self.prove(id, &circuit)?;
        let expected = Summary::combine(&summaries, child_capacity, shape.node_arity)?;
        if public_inputs_u64(&proof) != expected.public_inputs() {
            return Err(ProverError::SelfCheckFailed(format!(
                "{id}: its public input is not its children's combined summary"
            )));
        }
        Ok(proof)
    }

    /// Drops from memory the setup of `family`'s tree at `level` (0: chunks), once every proof of it
    /// exists (see [`crate::KeyStore::release`]); keys stay known, so verifying and the level above go on.
    pub fn release_user_level(&self, family: UserFamily, level: u32) -> bool {
        let id = if level == 0 {
            CircuitId::UserChunk(family)
        } else {
            CircuitId::UserNode(family, level)
        };
        self.keys().release(id)
    }

    /// The key of `family`'s aggregated proofs (its top node's).
    pub fn user_aggregate_id(&self, family: UserFamily) -> CircuitId {
        CircuitId::UserNode(family, self.keys().user_shape().levels)
    }

    /// Natively verifies a run's aggregated proof (the top node of `family`'s tree) and returns what it
    /// commits to: `(count, root)`.
    pub fn verify_user_aggregate(
        &self,
        family: UserFamily,
        proof: &BProof,
    ) -> Result<(u64, [u8; 32]), ProverError> {
        let id = self.user_aggregate_id(family);
        if !self.verify(id, proof)? {
            return Err(ProverError::ChildRejected {
                parent: "aggregate check".into(),
                index: 0,
                reason: "the aggregate proof does not verify".into(),
            });
        }
        let s = Summary::of_proof(proof)
            .ok_or_else(|| ProverError::SelfCheckFailed(format!("{id}: malformed public input")))?;
        Ok((s.n, s.root))
    }
}
