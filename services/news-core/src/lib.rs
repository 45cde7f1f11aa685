//! newsmill shared library: message contracts, configuration, the bus (Kafka
//! and embedded), the stage runner, telemetry and shutdown.

pub mod bus;
pub mod charset;
pub mod config;
pub mod dates;
pub mod durable;
pub mod entities;
pub mod ids;
pub mod messages;
pub mod mojibake;
pub mod runner;
pub mod shutdown;
pub mod sole_reader;
pub mod telemetry;

pub use bus::{Bus, BusError, InRecord, OutRecord};
pub use config::Config;
pub use runner::{Stage, StageError};
