//! The sample library: realistic lesson plans and teaching cases, in Chinese
//! and English, that a new user can import with one command and that tests
//! and benchmarks use. Patients are fictional and carry no identifiers.

/// (file name, JSON) of each sample, embedded in the binary.
pub const SAMPLES: &[(&str, &str)] = &[
    (
        "lesson-febrile-seizures.zh.json",
        include_str!("../../../samples/lesson-febrile-seizures.zh.json"),
    ),
    (
        "lesson-bronchiolitis.en.json",
        include_str!("../../../samples/lesson-bronchiolitis.en.json"),
    ),
    (
        "lesson-neonatal-jaundice.zh.json",
        include_str!("../../../samples/lesson-neonatal-jaundice.zh.json"),
    ),
    (
        "lesson-diarrhoea-ors.zh.json",
        include_str!("../../../samples/lesson-diarrhoea-ors.zh.json"),
    ),
    (
        "lesson-imci-pneumonia.en.json",
        include_str!("../../../samples/lesson-imci-pneumonia.en.json"),
    ),
    (
        "case-febrile-seizure.zh.json",
        include_str!("../../../samples/case-febrile-seizure.zh.json"),
    ),
    (
        "case-bronchiolitis.zh.json",
        include_str!("../../../samples/case-bronchiolitis.zh.json"),
    ),
    (
        "case-neonatal-jaundice.en.json",
        include_str!("../../../samples/case-neonatal-jaundice.en.json"),
    ),
    (
        "case-diarrhoea-dehydration.zh.json",
        include_str!("../../../samples/case-diarrhoea-dehydration.zh.json"),
    ),
    (
        "case-imci-pneumonia.en.json",
        include_str!("../../../samples/case-imci-pneumonia.en.json"),
    ),
    (
        "case-kawasaki.zh.json",
        include_str!("../../../samples/case-kawasaki.zh.json"),
    ),
];
