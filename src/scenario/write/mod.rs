//! Writing scenarios as files (`record`, `import har`): a file that loads back equal.
//!
//! - `scenario`: the model as an ordered tree, keys in the built-in files' order, defaults
//!   left out, and what a file cannot say refused.
//! - `yaml`: the tree as block YAML, every string plain only where no reader could misread it.

mod scenario;
#[cfg(test)]
mod tests;
mod yaml;

pub use scenario::{to_yaml, WriteError};
