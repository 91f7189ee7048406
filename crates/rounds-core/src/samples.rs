//! The sample library: realistic lesson plans and teaching cases, in Chinese
//! and English, that a new user can import with one command and that tests
//! and benchmarks use. Patients are fictional and carry no identifiers.

/// (file name, JSON) of each sample of every known kind, embedded in the
/// binary (each kind declares its own: `KindDecl::samples`).
pub fn all() -> Vec<(&'static str, &'static str)> {
    crate::schema::DocKind::all()
        .iter()
        .flat_map(|k| k.decl().samples.iter().copied())
        .collect()
}
