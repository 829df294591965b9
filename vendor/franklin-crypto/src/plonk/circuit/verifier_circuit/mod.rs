pub mod affine_point_wrapper;
pub mod channel;
pub mod data_structs;
pub mod helper_functions;
pub mod test;
pub mod utils;
pub mod verifying_circuit;
