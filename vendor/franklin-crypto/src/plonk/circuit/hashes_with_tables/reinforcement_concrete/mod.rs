pub mod gadgets;
pub mod hasher;
pub mod tables;
pub mod test;
pub mod utils;
