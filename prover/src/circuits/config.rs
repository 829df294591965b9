//! Gate configurations and geometries. A parent's recursive verifier must be configured exactly like
//! the child's prover, so both sides call the same functions here.

use boojum::cs::cs_builder::{CsBuilder, CsBuilderImpl};
use boojum::cs::gates::{
    BooleanConstraintGate, ConstantsAllocatorGate, FmaGateInBaseFieldWithoutConstant,
    FmaGateInExtensionWithoutConstant, NopGate, Poseidon2FlattenedGate, PublicInputGate,
    ReductionGate, SelectionGate, UIntXAddGate, ZeroCheckGate,
};
use boojum::cs::traits::cs::ConstraintSystem;
use boojum::cs::traits::gate::GatePlacementStrategy;
use boojum::cs::{CSGeometry, GateConfigurationHolder, LookupParameters, StaticToolboxHolder};
use boojum::field::U64Representable;
use boojum::gadgets::boolean::Boolean;
use boojum::gadgets::num::Num;
use boojum::gadgets::tables::ch4::{create_ch4_table, Ch4Table};
use boojum::gadgets::tables::chunk4bits::{create_4bit_chunk_split_table, Split4BitChunkTable};
use boojum::gadgets::tables::maj4::{create_maj4_table, Maj4Table};
use boojum::gadgets::tables::trixor4::{create_tri_xor_table, TriXor4Table};
use boojum::gadgets::tables::xor8::{create_xor8_table, Xor8Table};
use boojum::gadgets::traits::allocatable::CSAllocatable;
use boojum::gadgets::traits::selectable::Selectable;
use boojum::implementations::poseidon2::Poseidon2Goldilocks;

use crate::field::{Ext, F};

/// The flattened Poseidon2 gate: one permutation per row, the workhorse of queue hashing and recursion.
pub type Poseidon2Gate = Poseidon2FlattenedGate<F, 8, 12, 4, Poseidon2Goldilocks>;

/// 140 copy-permuted columns fit one flattened Poseidon2 permutation per row (130 variables);
/// degree 8 is what that gate needs; 4 constant columns carry gate selectors and constants.
pub const GEOMETRY: CSGeometry = CSGeometry {
    num_columns_under_copy_permutation: 140,
    num_witness_columns: 0,
    num_constant_columns: 4,
    max_allowed_constraint_degree: 8,
};

/// Lookups for the SHA-256 gadget: width-4 tables (tri-xor, ch, maj, 4-bit splits) in one specialized
/// column set with its table id as a constant. The gadget places fewer lookups than general rows (711
/// rows at capacity 2 with one set or with eight), so more repetitions (boojum's SHA-256 test uses 8)
/// only add columns, and each column costs hashing in every recursive query: one set made a leaf over
/// SHA-256 proofs 13.2 K rows per child instead of 14.6 K (LDE 8), and the basic proof 12 % faster.
pub const SHA_LOOKUP: LookupParameters =
    LookupParameters::UseSpecializedColumnsWithTableIdAsConstant {
        width: 4,
        num_repetitions: 1,
        share_table_id: true,
    };

/// Lookup column sets of the keccak layout: a keccak-f[1600] permutation is 24,445 lookups against 490
/// general rows, so with too few sets the lookup columns, not the recursive verifications, set a
/// chunk's domain. A chunk of `C` proofs hashes `2C − 1` times (its leaves and its tree) beside `C`
/// verifications (~5.7 K general rows each): 8 sets keep both within the same power of two (chunk 16:
/// ~95 K lookup rows and ~92 K general rows, a 2^17 trace; with 5 sets its 152 K lookup rows made it
/// 2^18, and chunk 32 2^19, past this machine's memory).
pub const KECCAK_LOOKUP_SETS: usize = 8;

/// Lookups for zkstream's keccak256 gadget ([`super::keccak`]): the width-3 8-bit XOR table in
/// [`KECCAK_LOOKUP_SETS`] specialized column sets sharing one table-id column.
pub const KECCAK_LOOKUP: LookupParameters =
    LookupParameters::UseSpecializedColumnsWithTableIdAsConstant {
        width: 3,
        num_repetitions: KECCAK_LOOKUP_SETS,
        share_table_id: true,
    };

/// Which configuration a circuit (and so its verifier) uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Layout {
    /// No lookups: Poseidon2 basic circuits and users' sample programs.
    Plain,
    /// [`Layout::Plain`] plus the FMA gate over the quadratic extension: leaf, node, tip, scheduler
    /// and compression. boojum's recursive verifier does its extension-field arithmetic (the DEEP
    /// quotient per query, FRI folding, constraint evaluation at z) with that gate when the circuit
    /// has it, one gate per multiply-add instead of several base-field FMAs.
    Recursion,
    /// With the SHA-256 lookup tables: the `Sha256` basic circuit.
    Sha,
    /// With the 8-bit XOR table (keccak256, byte checks), 8-bit add/sub and the extension-field FMA
    /// gate: the users' proof chunk and aggregate circuits.
    Keccak,
}

/// Configures the gates shared by every circuit.
pub fn configure_plain<
    T: CsBuilderImpl<F, T>,
    GC: GateConfigurationHolder<F>,
    TB: StaticToolboxHolder,
>(
    builder: CsBuilder<T, F, GC, TB>,
) -> CsBuilder<T, F, impl GateConfigurationHolder<F>, impl StaticToolboxHolder> {
    let b = ConstantsAllocatorGate::configure_builder(
        builder,
        GatePlacementStrategy::UseGeneralPurposeColumns,
    );
    let b = BooleanConstraintGate::configure_builder(
        b,
        GatePlacementStrategy::UseGeneralPurposeColumns,
    );
    let b = Poseidon2Gate::configure_builder(b, GatePlacementStrategy::UseGeneralPurposeColumns);
    let b = FmaGateInBaseFieldWithoutConstant::configure_builder(
        b,
        GatePlacementStrategy::UseGeneralPurposeColumns,
    );
    let b = SelectionGate::configure_builder(b, GatePlacementStrategy::UseGeneralPurposeColumns);
    let b = ReductionGate::<F, 4>::configure_builder(
        b,
        GatePlacementStrategy::UseGeneralPurposeColumns,
    );
    let b =
        ZeroCheckGate::configure_builder(b, GatePlacementStrategy::UseGeneralPurposeColumns, false);
    let b = PublicInputGate::configure_builder(b, GatePlacementStrategy::UseGeneralPurposeColumns);
    NopGate::configure_builder(b, GatePlacementStrategy::UseGeneralPurposeColumns)
}

/// [`configure_plain`] plus the extension-field FMA gate ([`Layout::Recursion`]).
pub fn configure_recursion<
    T: CsBuilderImpl<F, T>,
    GC: GateConfigurationHolder<F>,
    TB: StaticToolboxHolder,
>(
    builder: CsBuilder<T, F, GC, TB>,
) -> CsBuilder<T, F, impl GateConfigurationHolder<F>, impl StaticToolboxHolder> {
    FmaGateInExtensionWithoutConstant::<F, Ext>::configure_builder(
        configure_plain(builder),
        GatePlacementStrategy::UseGeneralPurposeColumns,
    )
}

/// [`configure_plain`] plus the SHA-256 lookup argument.
pub fn configure_sha<
    T: CsBuilderImpl<F, T>,
    GC: GateConfigurationHolder<F>,
    TB: StaticToolboxHolder,
>(
    builder: CsBuilder<T, F, GC, TB>,
) -> CsBuilder<T, F, impl GateConfigurationHolder<F>, impl StaticToolboxHolder> {
    configure_plain(builder.allow_lookup(SHA_LOOKUP))
}

/// [`configure_recursion`] (user-proof mode's chunk and node circuits are mostly recursive
/// verification) plus the keccak256 lookup argument and the 8-bit add/sub gate (byte comparisons).
pub fn configure_keccak<
    T: CsBuilderImpl<F, T>,
    GC: GateConfigurationHolder<F>,
    TB: StaticToolboxHolder,
>(
    builder: CsBuilder<T, F, GC, TB>,
) -> CsBuilder<T, F, impl GateConfigurationHolder<F>, impl StaticToolboxHolder> {
    UIntXAddGate::<8>::configure_builder(
        configure_recursion(builder.allow_lookup(KECCAK_LOOKUP)),
        GatePlacementStrategy::UseGeneralPurposeColumns,
    )
}

/// Registers the tables of a layout in a freshly built constraint system.
pub fn add_tables<CS: ConstraintSystem<F>>(cs: &mut CS, layout: Layout) {
    match layout {
        Layout::Plain | Layout::Recursion => {}
        Layout::Sha => add_sha_tables(cs),
        Layout::Keccak => add_keccak_tables(cs),
    }
}

/// Registers the keccak layout's one table: 8-bit XOR (2^16 rows, exactly a 2^16 trace). It also
/// serves boojum's byte range checks (a lookup of `(b, 0)`).
pub fn add_keccak_tables<CS: ConstraintSystem<F>>(cs: &mut CS) {
    cs.add_lookup_table::<Xor8Table, 3>(create_xor8_table());
}

/// Registers the SHA-256 tables in a freshly built constraint system.
pub fn add_sha_tables<CS: ConstraintSystem<F>>(cs: &mut CS) {
    cs.add_lookup_table::<TriXor4Table, 4>(create_tri_xor_table());
    cs.add_lookup_table::<Ch4Table, 4>(create_ch4_table());
    cs.add_lookup_table::<Maj4Table, 4>(create_maj4_table());
    cs.add_lookup_table::<Split4BitChunkTable<1>, 4>(create_4bit_chunk_split_table::<F, 1>());
    cs.add_lookup_table::<Split4BitChunkTable<2>, 4>(create_4bit_chunk_split_table::<F, 2>());
}

/// Places every configured gate at least once (boojum refuses a configured gate that is never used).
pub fn touch_all_gates<CS: ConstraintSystem<F>>(cs: &mut CS) {
    let a = Num::allocate(cs, F::from_u64_unchecked(3));
    let b = Num::allocate(cs, F::from_u64_unchecked(5));
    let flag = Boolean::allocate(cs, true);
    let c = a.mul(cs, &b);
    let d = Num::conditionally_select(cs, flag, &c, &a);
    let _ = d.is_zero(cs);
    let _ = Num::linear_combination(
        cs,
        &[
            (a.get_variable(), F::from_u64_unchecked(1)),
            (b.get_variable(), F::from_u64_unchecked(2)),
            (c.get_variable(), F::from_u64_unchecked(1)),
            (d.get_variable(), F::from_u64_unchecked(1)),
        ],
    );
    if cs.gate_is_allowed::<FmaGateInExtensionWithoutConstant<F, Ext>>() {
        use boojum::field::Field;
        let zero = Num::allocated_constant(cs, F::ZERO).get_variable();
        let _ = FmaGateInExtensionWithoutConstant::<F, Ext>::compute_fma_in_extension(
            cs,
            boojum::field::ExtensionField::<F, 2, Ext>::ONE,
            ([zero, zero], [zero, zero]),
            boojum::field::ExtensionField::<F, 2, Ext>::ONE,
            [zero, zero],
        );
    }
}

/// Exposes elements as the circuit's public input, in order.
pub fn expose<CS: ConstraintSystem<F>>(cs: &mut CS, out: &[Num<F>]) {
    use boojum::cs::gates::PublicInputGate;
    for el in out {
        PublicInputGate::new(el.get_variable()).add_to_cs(cs);
    }
}
