//! User-proof mode's circuits end to end (test profile, 2 proofs per chunk, arity-2 nodes, 1 node
//! level): users' proofs under different keys → chunk proofs → the aggregate whose public input is the
//! Aligned Merkle root over the proofs' commitments; and every way to cheat rejected — by the native
//! checks, and by the circuits themselves when the checks are switched off. (Trees of two node levels
//! are proved in `dataflow/tests/aggregation_tree.rs`, whose keys this test shares: a node's circuit
//! does not depend on how many levels sit above it.)
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Instant;

use zkstream_aggregation::{commitment, MerkleTree};
use zkstream_prover::circuits::Layout;
use zkstream_prover::field::{BProof, BVk};
use zkstream_prover::user::{
    aggregate_user_proofs, order_by_program, program_id, public_input_bytes, user_commitment,
    Summary, UserProofError,
};
use zkstream_prover::{CircuitId, Prover, UserFamily, UserShape};

/// Hash rounds of a sample program big enough for a larger domain than the default's: another family.
const BIG_ROUNDS: usize = 600;

fn prover() -> Prover {
    let keys = zkstream_testkit::open_test_keys!()
        .with_user_shape(UserShape::default())
        .unwrap();
    Prover::new(Arc::new(keys), 2)
}

/// The native checks of a user's proof as its submission carries it: its own key's program id and its
/// own public inputs.
fn check_as_submitted(
    prover: &Prover,
    (vk, proof): &(BVk, BProof),
) -> Result<UserFamily, UserProofError> {
    prover.check_user_proof(&program_id(vk), &public_input_bytes(proof), vk, proof)
}

#[test]
fn users_proofs_aggregate_to_the_aligned_root_and_cheats_fail() {
    let prover = prover();
    let t = Instant::now();
    let a1 = prover.prove_user_program(11, [1, 2, 3, 4]).unwrap();
    let b = prover.prove_user_program(22, [5, 6, 7, 8]).unwrap();
    let a2 = prover.prove_user_program(11, [9, 9, 9, 9]).unwrap();
    eprintln!(
        "3 user proofs (incl. 2 setups) in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    assert_ne!(program_id(&a1.0), program_id(&b.0));
    assert_eq!(program_id(&a1.0), program_id(&a2.0));
    // The commitment is Aligned's formula over the boojum id, the program id and the public inputs.
    let pi = public_input_bytes(&a1.1);
    assert_eq!(pi.len(), 32);
    assert_eq!(
        user_commitment(&a1.0, &a1.1),
        commitment(0x0b00, &program_id(&a1.0), &pi)
    );

    // Native checks: what a submission must pass.
    prover
        .check_user_proof(&program_id(&b.0), &public_input_bytes(&b.1), &b.0, &b.1)
        .unwrap();
    assert!(matches!(
        prover.check_user_proof(&program_id(&a1.0), &public_input_bytes(&b.1), &a1.0, &b.1),
        Err(UserProofError::WrongPublicInputs) | Err(UserProofError::DoesNotVerify)
    ));
    assert_eq!(
        prover.check_user_proof(&program_id(&a1.0), &public_input_bytes(&b.1), &a1.0, &b.1),
        Err(UserProofError::DoesNotVerify)
    );
    assert!(matches!(
        prover.check_user_proof(&program_id(&a1.0), &public_input_bytes(&b.1), &b.0, &b.1),
        Err(UserProofError::WrongProgramId { .. })
    ));
    let mut bad_pi = public_input_bytes(&b.1);
    bad_pi[3] ^= 1;
    assert_eq!(
        prover.check_user_proof(&program_id(&b.0), &bad_pi, &b.0, &b.1),
        Err(UserProofError::WrongPublicInputs)
    );
    // A key of the gate set whose proof does not verify makes no family known: only checked keys are
    // kept (the first public input moved to another row is another family).
    let mut moved = a1.0.clone();
    moved.fixed_parameters.public_inputs_locations[0].1 += 1;
    assert_ne!(UserFamily::of(&moved), UserFamily::of(&a1.0));
    assert_eq!(
        prover.check_user_proof(&program_id(&moved), &pi, &moved, &a1.1),
        Err(UserProofError::DoesNotVerify)
    );
    assert!(prover
        .keys()
        .user_family_template(UserFamily::of(&moved))
        .is_err());

    // Families: a program of another size is supported, in a family of its own; a chunk or a run
    // never mixes families (each family has its own chunk verifier).
    let family = prover.user_family(&a1.0).unwrap();
    assert_eq!(prover.user_family(&b.0).unwrap(), family);
    let big = prover
        .prove_user_program_of(BIG_ROUNDS, 33, [1, 1, 2, 3])
        .unwrap();
    assert_ne!(
        big.0.fixed_parameters.domain_size,
        a1.0.fixed_parameters.domain_size
    );
    let big_family = check_as_submitted(&prover, &big).unwrap();
    assert_ne!(big_family, family);
    assert_eq!(big_family, UserFamily::of(&big.0));
    let mixed = prover
        .prove_user_chunk(&[a1.clone(), big.clone()])
        .unwrap_err();
    assert!(mixed.to_string().contains("family"), "{mixed}");
    assert!(aggregate_user_proofs(&prover, &[big.clone(), a1.clone()]).is_err());
    // A key whose declared public inputs lie outside its domain is refused before any verifier sees it.
    let mut odd = big.0.clone();
    odd.fixed_parameters.public_inputs_locations[0].1 = odd.fixed_parameters.domain_size as usize;
    assert!(matches!(
        prover.user_family(&odd),
        Err(UserProofError::Unsupported(reason)) if reason.contains("outside")
    ));

    // The aggregate: programs grouped (11's two proofs, then 22's, by program id), chunks [2, 1], and
    // the node over both.
    let t = Instant::now();
    let proofs = vec![a1.clone(), b.clone(), a2.clone()];
    let agg = aggregate_user_proofs(&prover, &proofs).unwrap();
    eprintln!(
        "2 chunks + 1 node (incl. setups) in {:.1} s; aggregate proof {} bytes",
        t.elapsed().as_secs_f64(),
        bincode::serialize(&agg.proof).unwrap().len()
    );
    let ordered = order_by_program(&proofs);
    let leaves: Vec<[u8; 32]> = ordered
        .iter()
        .map(|(vk, p)| user_commitment(vk, p))
        .collect();
    assert_eq!(agg.leaves, leaves);
    let root = MerkleTree::new(&leaves).unwrap().root();
    assert_eq!(agg.root, root);
    assert_eq!(agg.chunk_proofs.len(), 2);
    assert_eq!(
        agg.node_proofs.iter().map(Vec::len).collect::<Vec<_>>(),
        [1]
    );
    assert_eq!(agg.family, family);
    assert_eq!(
        prover.verify_user_aggregate(family, &agg.proof).unwrap(),
        (3, root)
    );
    // Every level's public input is the summary of its leaves.
    let chunk0 = Summary::of_proof(&agg.chunk_proofs[0]).unwrap();
    assert_eq!(chunk0, Summary::of_leaves(&leaves[..2], 2).unwrap());
    let chunk1 = Summary::of_proof(&agg.chunk_proofs[1]).unwrap();
    assert_eq!(chunk1, Summary::of_leaves(&leaves[2..], 2).unwrap());
    assert_eq!(
        bincode::serialize(&agg.node_proofs[0][0]).unwrap(),
        bincode::serialize(&agg.proof).unwrap()
    );
    assert_eq!(
        Summary::of_proof(&agg.proof).unwrap(),
        Summary::of_leaves(&leaves, 4).unwrap()
    );
    // A chunk's proof is not an aggregate: it does not verify under the top key.
    assert!(prover
        .verify_user_aggregate(family, &agg.chunk_proofs[0])
        .is_err());

    // The native checks refuse a partial chunk before a full one, a level above the top, and a node's
    // proof where chunk proofs are expected.
    let swapped = vec![agg.chunk_proofs[1].clone(), agg.chunk_proofs[0].clone()];
    assert!(prover.prove_user_node(family, 1, &swapped).is_err());
    assert!(prover
        .prove_user_node(family, 2, &agg.node_proofs[0])
        .is_err());
    assert!(prover
        .prove_user_node(family, 1, std::slice::from_ref(&agg.proof))
        .is_err());

    // The circuits themselves refuse cheats (native checks off).
    let unchecked =
        Prover::new(Arc::clone(prover.keys()), 2).without_prechecks_for_soundness_tests();
    // A proof under another program's key.
    assert!(unchecked
        .prove_user_chunk(&[(b.0.clone(), a1.1.clone())])
        .is_err());
    // Chunks swapped: the partial chunk first.
    assert!(unchecked.prove_user_node(family, 1, &swapped).is_err());
    // A chunk proof with a public input changed (its root) does not verify in the node.
    let mut forged: BProof = agg.chunk_proofs[1].clone();
    forged.public_inputs[1] = forged.public_inputs[2];
    assert!(unchecked
        .prove_user_node(family, 1, &[agg.chunk_proofs[0].clone(), forged])
        .is_err());
    // A node's proof where a chunk proof is expected (the node's constant child key).
    assert!(unchecked
        .prove_user_node(family, 1, std::slice::from_ref(&agg.proof))
        .is_err());
}

/// The other gate sets' programs are families of their own: each is checked natively with its gate
/// set's verifier and aggregated by a chunk circuit of its own. (A test of its own: it shares no proof
/// with the plain family's tree, so the two run side by side.)
#[test]
fn other_gate_sets_are_families_with_chunk_circuits_of_their_own() {
    let prover = prover();
    // A circuit of the second gate set (lookups): zkstream's own SHA-256 basic circuit as a user's
    // program. Its family verifies with lookups; a key whose tables differ is no gate set of ours.
    let sha = prover.prove_sha_user_program(b"a user's program").unwrap();
    let sha_family = check_as_submitted(&prover, &sha).unwrap();
    assert_eq!(
        prover.keys().user_family_layout(sha_family).unwrap(),
        Layout::Sha
    );
    let mut other_tables = sha.0.clone();
    other_tables.fixed_parameters.total_tables_len /= 2;
    assert!(matches!(
        prover.check_user_proof(&program_id(&other_tables), &public_input_bytes(&sha.1), &other_tables, &sha.1),
        Err(UserProofError::Unsupported(reason)) if reason.contains("gate set")
    ));

    // A circuit of the third gate set (recursion): zkstream's own Poseidon2 leaf, a recursive proof.
    let rec = prover.prove_recursion_user_program(&[7, 8, 9]).unwrap();
    let rec_family = check_as_submitted(&prover, &rec).unwrap();
    assert_eq!(
        prover.keys().user_family_layout(rec_family).unwrap(),
        Layout::Recursion
    );
    // One bit flipped deep in its query data: it still decodes, and no longer verifies.
    let mut bytes = bincode::serialize(&rec.1).unwrap();
    let at = bytes.len() * 2 / 3;
    bytes[at] ^= 1;
    let tampered: zkstream_prover::field::BProof = bincode::deserialize(&bytes).unwrap();
    assert_eq!(
        prover.check_user_proof(
            &program_id(&rec.0),
            &public_input_bytes(&rec.1),
            &rec.0,
            &tampered
        ),
        Err(UserProofError::DoesNotVerify)
    );

    // The other gate sets' families: a chunk of their own verifies the proof in-circuit with that gate
    // set's verifier (lookups for sha256, the extension-field FMA gate for recursion) and commits to
    // its leaf. (Nodes verify chunk proofs, whatever gate set the chunk verified: the plain family's
    // tree in the test above covers them.)
    let mut chunks = Vec::new();
    for (name, user, family) in [
        ("sha256", &sha, sha_family),
        ("recursion", &rec, rec_family),
    ] {
        let t = Instant::now();
        let chunk = prover.prove_user_chunk(std::slice::from_ref(user)).unwrap();
        eprintln!(
            "{name} family: 1 chunk (incl. its setup) in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        assert!(prover.verify(CircuitId::UserChunk(family), &chunk).unwrap());
        let leaf = user_commitment(&user.0, &user.1);
        assert_eq!(
            Summary::of_proof(&chunk).unwrap(),
            Summary::of_leaves(&[leaf], 2).unwrap()
        );
        chunks.push((family, chunk));
    }
    // Each family's chunk proof is not one of the other's.
    for ((family, _), (_, other)) in chunks.iter().zip(chunks.iter().rev()) {
        assert!(!matches!(
            prover.verify(CircuitId::UserChunk(*family), other),
            Ok(true)
        ));
    }
}
