//! Generated documents for load tests and benchmarks.
//!
//! Deterministic for a seed, realistic in shape: Chinese and English lesson
//! plans and cases with clinical-sounding text built from a phrase bank, so
//! that search, listing and sync are measured on the kind of text teachers
//! write. No generated text describes a real person.

use serde_json::Value as Json;

use crate::schema::{DocKind, GenSpec, Lang};

/// A small, fast, seedable generator (xorshift64*); good enough for test
/// data and free of dependencies.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const ZH_TOPICS: &[&str] = &[
    "热性惊厥",
    "毛细支气管炎",
    "新生儿黄疸",
    "小儿腹泻",
    "社区获得性肺炎",
    "川崎病",
    "手足口病",
    "急性喉炎",
    "营养性缺铁性贫血",
    "维生素D缺乏性佝偻病",
    "肾病综合征",
    "过敏性紫癜",
    "支气管哮喘",
    "化脓性脑膜炎",
];
const EN_TOPICS: &[&str] = &[
    "Febrile seizures",
    "Bronchiolitis",
    "Neonatal jaundice",
    "Acute diarrhoea",
    "Pneumonia the IMCI way",
    "Kawasaki disease",
    "Croup",
    "Iron deficiency anaemia",
    "Nephrotic syndrome",
    "Asthma exacerbation",
    "Bacterial meningitis",
    "Dehydration and oral rehydration",
];
const ZH_SENTENCES: &[&str] = &[
    "患儿发热2天，体温最高39.5℃，伴咳嗽、流涕。",
    "查体：精神反应可，呼吸急促，可见三凹征，双肺可闻及细湿啰音。",
    "血常规：白细胞15.2×10^9/L，中性粒细胞占78%，C反应蛋白56 mg/L。",
    "按WHO IMCI流程评估危险体征：不能饮水或吃奶、呕吐一切、惊厥、嗜睡或昏迷。",
    "口服补液盐按75 ml/kg在4小时内补充，同时补锌10–20 mg/日，疗程10–14天。",
    "引导学生根据年龄对应的呼吸频率判断是否存在呼吸增快。",
    "讨论：何时需要转诊至上级医院？转诊前应给予哪些处理？",
    "本环节通过病例讨论培养学生的临床思维能力。",
    "经皮胆红素测定值升高，对照小时胆红素列线图判断光疗指征。",
    "静脉注射丙种球蛋白2 g/kg，单剂输注，同时口服阿司匹林。",
    "家长宣教：居家观察要点、复诊时间及危险信号。",
    "小组讨论后由各组代表汇报，教师点评并总结。",
];
const EN_SENTENCES: &[&str] = &[
    "The infant presented with two days of cough, coryza and poor feeding.",
    "On examination the respiratory rate was 62 per minute with subcostal recession.",
    "Oxygen saturation was 91% in room air; wheeze and fine crackles were heard on both sides.",
    "Classify using the IMCI chart: look for general danger signs first, then count the breaths.",
    "Give oral rehydration solution 75 ml/kg over four hours and zinc for 10 to 14 days.",
    "Learners practise counting breaths for a full minute on video recordings.",
    "Discuss when to refer to the county hospital and what to give before referral.",
    "Supportive care is the mainstay; bronchodilators and steroids are not routinely recommended.",
    "Hour-specific bilirubin is plotted on the nomogram to decide on phototherapy.",
    "Intravenous immunoglobulin 2 g/kg is given as a single infusion with aspirin.",
    "Parents are taught the danger signs and when to return.",
    "Each group presents its reasoning and the teacher summarises the key points.",
];

/// Text of about `chars` characters in the language.
pub fn paragraph(rng: &mut Rng, lang: Lang, chars: usize) -> String {
    let bank = if lang == Lang::Zh {
        ZH_SENTENCES
    } else {
        EN_SENTENCES
    };
    let mut out = String::new();
    let mut n = 0;
    while n < chars {
        let s = rng.pick(bank);
        n += s.chars().count() + 1;
        out.push_str(s);
        out.push(if lang == Lang::Zh { '\n' } else { ' ' });
    }
    out
}

/// One generated document: its kind, title, language and fields. `body`
/// is the approximate number of characters of its long text. The kind is
/// drawn from the kinds with a generator, the built-in ones first.
pub fn document(rng: &mut Rng, body: usize) -> (DocKind, String, Lang, Json) {
    let lang = if rng.below(3) == 0 {
        Lang::En
    } else {
        Lang::Zh
    };
    let kinds: Vec<DocKind> = DocKind::all()
        .into_iter()
        .filter(|k| k.decl().generate.is_some())
        .collect();
    let kind = *rng.pick(&kinds);
    let topic = if lang == Lang::Zh {
        rng.pick(ZH_TOPICS)
    } else {
        rng.pick(EN_TOPICS)
    };
    let n = rng.below(1000);
    let generate = kind.decl().generate.expect("filtered above");
    let (title, fields) = generate(
        rng,
        &GenSpec {
            lang,
            topic,
            n,
            body,
        },
    );
    (kind, title, lang, fields)
}
