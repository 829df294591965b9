pub mod gadgets;
pub mod tables;
pub mod tests;
pub mod utils;
