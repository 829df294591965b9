//! Circuit families: a circuit type is an id that a *circuit family* registers, together with the
//! type's name, its capacity (items one basic circuit takes) and the family's recursion layers. The
//! machinery from the reader to the ordered sink works on any family; a family brings its types, how a
//! batch splits into basic circuits, and its layers.
//!
//! Two families exist. zkstream's real family (Poseidon2 and SHA-256: [`REAL_TYPES`]) registers ids 1
//! and 2, with capacities set by the proof profile and a fixed number of node layers (one key per
//! layer). The simulated family (`fleet/src/workload.rs`) registers up to [`MAX_FAMILY_TYPES`] ids from
//! 0, with capacity 1 (a count of basic jobs per type) and node levels until one proof per type. Ids
//! are scoped to their family: id 1 is Poseidon2 in the real family and the second type of a simulated
//! one. The word *circuit family* is unrelated to user-proof mode's families of users' programs.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use thiserror::Error;

/// The real family's name, in its errors.
pub const REAL_FAMILY: &str = "real";

/// Most circuit types one family may register: the recursion tip takes one final node proof per type
/// and has 32 inputs (zkSync's has 20 basic types).
pub const MAX_FAMILY_TYPES: usize = 32;

/// A circuit type: an id registered by a circuit family. The id is used in hashes and keys; its name
/// belongs to the family ([`CircuitFamily::name_of`]). `Display` writes the real family's names
/// (`poseidon2`, `sha256`: the family the proving path, its key directories, artifact paths and metric
/// labels run on) and `t07` for any other id; the simulated family's code writes its ids as `t07`
/// always.
///
/// On the wire it keeps the encoding of the closed two-variant enum it replaced, so stored artifacts and
/// records written before stay readable byte for byte: a compact format (bincode) writes the variant
/// index `id − 1` as a `u32` (wrapping, so id 0 is 255 and every `u8` id has one index); a readable
/// format (JSON) writes the id as a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CircuitType(u8);

impl CircuitType {
    /// The real family's Poseidon2 sponge circuit (up to `MAX_POSEIDON2_INPUTS` elements per request).
    pub const POSEIDON2: CircuitType = CircuitType(1);
    /// The real family's SHA-256 circuit (up to `MAX_SHA256_BYTES` bytes per request).
    pub const SHA256: CircuitType = CircuitType(2);

    /// The type with this id (which family registers it is the caller's context).
    pub const fn new(id: u8) -> Self {
        CircuitType(id)
    }

    /// The numeric circuit id.
    pub const fn id(self) -> u8 {
        self.0
    }

    /// The variant index the closed enum gave this id (`id − 1`, wrapping).
    fn wire_index(self) -> u32 {
        u32::from(self.0.wrapping_sub(1))
    }
}

impl fmt::Display for CircuitType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match real_type_name(*self) {
            Some(name) => f.pad(name),
            None => f.pad(&format!("t{:02}", self.0)),
        }
    }
}

impl Serialize for CircuitType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_u8(self.0)
        } else {
            serializer.serialize_u32(self.wire_index())
        }
    }
}

impl<'de> Deserialize<'de> for CircuitType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Id {
            readable: bool,
        }
        impl Visitor<'_> for Id {
            type Value = CircuitType;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a circuit type id")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<CircuitType, E> {
                let v = u64::try_from(v)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))?;
                self.visit_u64(v)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<CircuitType, E> {
                let v = u8::try_from(v)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))?;
                Ok(if self.readable {
                    CircuitType(v)
                } else {
                    CircuitType(v.wrapping_add(1))
                })
            }
        }
        if deserializer.is_human_readable() {
            deserializer.deserialize_u8(Id { readable: true })
        } else {
            deserializer.deserialize_u32(Id { readable: false })
        }
    }
}

/// The types zkstream's real family registers, in tip-slot order (the order of the per-type ranges in
/// the batch commitment).
pub const REAL_TYPES: [CircuitType; 2] = [CircuitType::POSEIDON2, CircuitType::SHA256];

/// The real family's name for one of its types (`poseidon2`, `sha256`), used in metric labels and
/// artifact paths; `None` for an id it does not register.
pub fn real_type_name(t: CircuitType) -> Option<&'static str> {
    match t {
        CircuitType::POSEIDON2 => Some("poseidon2"),
        CircuitType::SHA256 => Some("sha256"),
        _ => None,
    }
}

/// One circuit type of a family.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeSpec {
    /// Its id (unique in the family).
    pub id: CircuitType,
    /// A short lower-case name, for metric labels, paths and tables (unique in the family).
    pub name: String,
    /// Items one basic circuit of this type takes: requests for the real family, 1 for the simulated
    /// one (whose batches carry counts of basic jobs).
    pub capacity: u32,
}

/// How many node layers a family's recursion has above the leaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeLayers {
    /// Exactly this many (≥ 1): the real family has one key per node layer, so a batch with more basic
    /// circuits of one type than `arity^(layers + 1)` cannot be proved.
    Fixed(u32),
    /// As many as it takes to reduce each type to one proof (the simulated family, like zkSync's).
    UntilOne,
}

/// A circuit family: its types, their capacities, and the recursion above the basic circuits — per
/// type, leaves over `arity` basic proofs, node layers over `arity` proofs of the layer below until one
/// per type; then one recursion tip over every type's final node (in registration order), a scheduler
/// and a compression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CircuitFamily {
    /// The family's name (`real`, or the simulated workload's).
    pub name: String,
    /// Its types, in tip-slot order.
    pub types: Vec<TypeSpec>,
    /// Children per leaf and per node.
    pub arity: u32,
    /// Its node layers.
    pub node_layers: NodeLayers,
}

/// A family description that cannot be used, or a batch its family cannot prove.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FamilyError {
    /// The family is malformed (its name, then what is wrong).
    #[error("circuit family {0}: {1}")]
    Invalid(String, String),
    /// A type the family does not register.
    #[error("circuit family {family} has no type id {}", .circuit.id())]
    UnknownType {
        /// The family.
        family: String,
        /// The id asked for.
        circuit: CircuitType,
    },
    /// More basic circuits of one type than the family's fixed layers reduce to one proof.
    #[error(
        "{basic} basic circuits of type {circuit}: at most {max} fit under {layers} node layers of arity {arity}"
    )]
    TooManyBasic {
        /// The type.
        circuit: CircuitType,
        /// Basic circuits asked for.
        basic: u64,
        /// Most the layers take.
        max: u64,
        /// The family's node layers.
        layers: u32,
        /// Its arity.
        arity: u32,
    },
}

impl FamilyError {
    /// Whether trying again can help: never — the same description fails the same way.
    pub fn is_retryable(&self) -> bool {
        false
    }
}

impl CircuitFamily {
    /// zkstream's real family: Poseidon2 and SHA-256 with these capacities (requests per basic
    /// circuit), leaf and node arity, and fixed node layers.
    pub fn real(
        poseidon2_capacity: u32,
        sha256_capacity: u32,
        arity: u32,
        node_layers: u32,
    ) -> Self {
        let spec = |id: CircuitType, capacity: u32| TypeSpec {
            id,
            name: real_type_name(id).unwrap_or_default().to_string(),
            capacity,
        };
        CircuitFamily {
            name: REAL_FAMILY.into(),
            types: vec![
                spec(CircuitType::POSEIDON2, poseidon2_capacity),
                spec(CircuitType::SHA256, sha256_capacity),
            ],
            arity,
            node_layers: NodeLayers::Fixed(node_layers),
        }
    }

    /// Checks what every stage relies on: 1 to [`MAX_FAMILY_TYPES`] types with unique ids and unique
    /// non-empty names, every capacity at least 1, at least one fixed node layer, and an arity of at
    /// least 1 for fixed layers, 2 for layers until one (at arity 1 those would never end).
    pub fn check(&self) -> Result<(), FamilyError> {
        let fail = |what: String| Err(FamilyError::Invalid(self.name.clone(), what));
        if self.types.is_empty() || self.types.len() > MAX_FAMILY_TYPES {
            return fail(format!(
                "{} circuit types (1 to {MAX_FAMILY_TYPES})",
                self.types.len()
            ));
        }
        for (i, t) in self.types.iter().enumerate() {
            if self.types[..i].iter().any(|o| o.id == t.id) {
                return fail(format!("type id {} registered twice", t.id.id()));
            }
            if t.name.is_empty() || self.types[..i].iter().any(|o| o.name == t.name) {
                return fail(format!("type name {:?} empty or registered twice", t.name));
            }
            if t.capacity == 0 {
                return fail(format!("type {} has capacity 0", t.name));
            }
        }
        let least = match self.node_layers {
            NodeLayers::Fixed(_) => 1,
            NodeLayers::UntilOne => 2,
        };
        if self.arity < least {
            return fail(format!("arity {} (at least {least})", self.arity));
        }
        if self.node_layers == NodeLayers::Fixed(0) {
            return fail("0 fixed node layers (at least 1)".into());
        }
        Ok(())
    }

    /// Its type ids, in tip-slot order.
    pub fn ids(&self) -> impl Iterator<Item = CircuitType> + '_ {
        self.types.iter().map(|t| t.id)
    }

    /// The registration of type `t`.
    pub fn spec(&self, t: CircuitType) -> Result<&TypeSpec, FamilyError> {
        self.slot(t).map(|i| &self.types[i])
    }

    /// The name the family gives type `t`.
    pub fn name_of(&self, t: CircuitType) -> Result<&str, FamilyError> {
        self.spec(t).map(|s| s.name.as_str())
    }

    /// The recursion tip's input slot of type `t`.
    pub fn slot(&self, t: CircuitType) -> Result<usize, FamilyError> {
        self.types
            .iter()
            .position(|s| s.id == t)
            .ok_or_else(|| FamilyError::UnknownType {
                family: self.name.clone(),
                circuit: t,
            })
    }

    /// How a batch splits: basic circuits of type `t` for `items` items of it, `⌈items / capacity⌉`
    /// and at least 1 (a type with no items gets one empty circuit, so the tip has a proof per type).
    pub fn basic_circuits(&self, t: CircuitType, items: u64) -> Result<u64, FamilyError> {
        let capacity = u64::from(self.spec(t)?.capacity.max(1));
        Ok(items.div_ceil(capacity).max(1))
    }

    /// The recursion above `basic` basic circuits of type `t` (taken as at least 1): the size of each
    /// layer, leaves first and the final node (1) last. Refused for a malformed family (see
    /// [`CircuitFamily::check`]) and when fixed layers cannot reduce `basic` to one proof.
    pub fn layers(&self, t: CircuitType, basic: u64) -> Result<Vec<u64>, FamilyError> {
        self.check()?;
        self.spec(t)?;
        let basic = basic.max(1);
        let arity = u64::from(self.arity);
        let mut sizes = vec![basic.div_ceil(arity)];
        match self.node_layers {
            NodeLayers::UntilOne => {
                // At least one node level, as zkSync's and the simulated graph's recursion have.
                loop {
                    let next = sizes[sizes.len() - 1].div_ceil(arity);
                    sizes.push(next);
                    if next == 1 {
                        break;
                    }
                }
            }
            NodeLayers::Fixed(layers) => {
                for _ in 0..layers {
                    sizes.push(sizes[sizes.len() - 1].div_ceil(arity));
                }
                if sizes.last() != Some(&1) {
                    return Err(FamilyError::TooManyBasic {
                        circuit: t,
                        basic,
                        max: arity.saturating_pow(layers.saturating_add(1)),
                        layers,
                        arity: self.arity,
                    });
                }
            }
        }
        Ok(sizes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bincode::Options;

    /// The closed enum `CircuitType` was before it became an id, to pin its encoding.
    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone, Copy)]
    enum ClosedCircuitType {
        Poseidon2Hash = 1,
        Sha256 = 2,
    }

    #[test]
    fn the_wire_encoding_of_the_closed_enum_is_kept() {
        let fixint = bincode::DefaultOptions::new()
            .with_fixint_encoding()
            .with_little_endian();
        let varint = bincode::DefaultOptions::new();
        for (old, new) in [
            (ClosedCircuitType::Poseidon2Hash, CircuitType::POSEIDON2),
            (ClosedCircuitType::Sha256, CircuitType::SHA256),
        ] {
            assert_eq!(fixint.serialize(&old).ok(), fixint.serialize(&new).ok());
            assert_eq!(varint.serialize(&old).ok(), varint.serialize(&new).ok());
            assert_eq!(bincode::serialize(&old).ok(), bincode::serialize(&new).ok());
            let bytes = fixint.serialize(&old).unwrap_or_default();
            assert_eq!(fixint.deserialize::<CircuitType>(&bytes).ok(), Some(new));
            let back = fixint.serialize(&new).unwrap_or_default();
            assert_eq!(
                fixint.deserialize::<ClosedCircuitType>(&back).ok(),
                Some(old)
            );
            // Inside an `Option`, as artifact keys carry it.
            assert_eq!(
                fixint.serialize(&Some(old)).ok(),
                fixint.serialize(&Some(new)).ok()
            );
        }
        // A readable format writes the id itself, and takes it back signed or unsigned.
        let json = serde_json::to_string(&CircuitType::new(7)).unwrap_or_default();
        assert_eq!(json, "7");
        assert_eq!(
            serde_json::from_str::<CircuitType>("7").ok(),
            Some(CircuitType::new(7))
        );
        assert!(serde_json::from_str::<CircuitType>("-1").is_err());
        assert!(serde_json::from_str::<CircuitType>("256").is_err());
        // Every id round-trips, 0 included (index 255).
        for id in 0..=u8::MAX {
            let t = CircuitType::new(id);
            let bytes = fixint.serialize(&t).unwrap_or_default();
            assert_eq!(fixint.deserialize::<CircuitType>(&bytes).ok(), Some(t));
        }
        // An index no id has is refused, not wrapped.
        let bad = fixint.serialize(&256u32).unwrap_or_default();
        assert!(fixint.deserialize::<CircuitType>(&bad).is_err());
    }

    #[test]
    fn the_real_family_registers_poseidon2_and_sha256() {
        let real = CircuitFamily::real(8, 2, 2, 1);
        assert_eq!(real.check(), Ok(()));
        assert_eq!(real.ids().collect::<Vec<_>>(), REAL_TYPES.to_vec());
        assert_eq!(real.name_of(CircuitType::SHA256), Ok("sha256"));
        assert_eq!(real.slot(CircuitType::POSEIDON2), Ok(0));
        assert_eq!(real.basic_circuits(CircuitType::POSEIDON2, 17), Ok(3));
        assert_eq!(real.basic_circuits(CircuitType::SHA256, 4), Ok(2));
        assert_eq!(real.basic_circuits(CircuitType::SHA256, 0), Ok(1));
        assert!(matches!(
            real.spec(CircuitType::new(3)),
            Err(FamilyError::UnknownType { .. })
        ));
        // Arity 2, one node layer: at most 4 basic circuits per type.
        assert_eq!(real.layers(CircuitType::SHA256, 4), Ok(vec![2, 1]));
        assert_eq!(real.layers(CircuitType::SHA256, 1), Ok(vec![1, 1]));
        assert_eq!(real.layers(CircuitType::SHA256, 0), Ok(vec![1, 1]));
        assert!(matches!(
            real.layers(CircuitType::SHA256, 5),
            Err(FamilyError::TooManyBasic { max: 4, .. })
        ));
    }

    #[test]
    fn until_one_layers_reduce_every_count_to_one() {
        let family = CircuitFamily {
            name: "sim".into(),
            types: vec![TypeSpec {
                id: CircuitType::new(0),
                name: "t00".into(),
                capacity: 1,
            }],
            arity: 32,
            node_layers: NodeLayers::UntilOne,
        };
        assert_eq!(family.check(), Ok(()));
        let t = CircuitType::new(0);
        // zkSync mainnet 496134's dominant type: 11,900 basic → 372 leaves → 12 → 1.
        assert_eq!(family.layers(t, 11_900), Ok(vec![372, 12, 1]));
        assert_eq!(family.layers(t, 1), Ok(vec![1, 1]));
        assert_eq!(family.layers(t, 32), Ok(vec![1, 1]));
        assert_eq!(family.layers(t, 33), Ok(vec![2, 1]));
        for basic in 1..5_000u64 {
            let sizes = family.layers(t, basic).unwrap_or_default();
            assert_eq!(sizes.last(), Some(&1), "{basic}");
            assert!(sizes.len() >= 2, "{basic}");
        }
    }

    #[test]
    fn malformed_families_are_refused_by_what_is_wrong() {
        let good = CircuitFamily::real(8, 2, 2, 1);
        let mut twice = good.clone();
        twice.types[1].id = CircuitType::POSEIDON2;
        let mut arity = good.clone();
        arity.arity = 1;
        arity.node_layers = NodeLayers::UntilOne;
        let mut empty = good.clone();
        empty.types.clear();
        let mut zero = good.clone();
        zero.types[0].capacity = 0;
        let mut layers = good;
        layers.node_layers = NodeLayers::Fixed(0);
        for (family, what) in [
            (twice, "registered twice"),
            (arity, "arity 1"),
            (empty, "0 circuit types"),
            (zero, "capacity 0"),
            (layers, "0 fixed node layers"),
        ] {
            let err = family
                .check()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains(what), "{err}");
        }
    }
}
