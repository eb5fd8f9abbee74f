//! The converter end to end: export text in, scenario out.
