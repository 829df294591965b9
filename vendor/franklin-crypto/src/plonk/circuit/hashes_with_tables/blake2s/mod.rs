pub mod gadgets;
pub mod tables;
pub mod test;
