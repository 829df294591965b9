pub mod gadgets;
pub mod tables;
pub mod test;
pub mod utils;
