//! Personal names: the child, the family, and staff.
//!
//! Chinese names are recognised only right after a word that introduces a
//! person (患儿, 母亲, 姓名, 联系人, …), and only when the next character is
//! a common surname; anything else is far too open-ended for patterns. The
//! hard part is that the same characters start ordinary clinical phrases
//! (患儿**高**热, 患儿**黄**疸, 患儿**于**3天前), so there are three guards:
//! a list of phrases that are never names, characters that cannot continue a
//! given name, and, for surnames that are also common words, a demand that
//! the name be followed by a clear delimiter.
//!
//! English names are recognised after a title (Mr, Dr, …) or a label such as
//! "Name:" or "Mother:".

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::text::{is_han, next_char, prev_char};
use crate::{Confidence, Hit, Kind, Reason};

pub(crate) const ZH_REASON: Reason = (
    "Chinese name after a person word (患儿, 母亲, 姓名, …). Replace it with the surname plus 某, e.g. 张某.",
    "“患儿”“母亲”“姓名”等称谓后的中文姓名。建议改为“姓+某”，如“张某”。",
);
const ZH_REASON_UNSURE: Reason = (
    "Probably a Chinese name after a person word, but where it ends is unclear. Replace it with the surname plus 某.",
    "称谓后疑似中文姓名，但姓名边界不确定。建议改为“姓+某”。",
);
const EN_REASON: Reason = (
    "Personal name after a title or label (Mr, Dr, Name:, Mother:). Replace it with a role such as \"the mother\".",
    "称谓或标签（Mr、Dr、Name:、Mother:）后的英文姓名。建议改为“患儿母亲”等角色称呼。",
);
const EN_REASON_UNSURE: Reason = (
    "Single capitalised word after a person label; it may be a name.",
    "人物标签后的单个首字母大写词，可能是姓名。",
);

/// Words after which the next few characters are likely a person's name.
/// Longer words come first so that 母亲 wins over 母.
static ZH_CONTEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?: 姓名 | 名叫 | 名为 | 患儿 | 患者 | 病人 | 病儿 | 家长 | 父亲 | 母亲 | 爸爸 | 妈妈
          | 爷爷 | 奶奶 | 外公 | 外婆 | 姥姥 | 姥爷 | 外祖父 | 外祖母 | 祖父 | 祖母
          | 哥哥 | 姐姐 | 弟弟 | 妹妹 | 舅舅 | 舅妈 | 姨妈 | 姨父 | 姑姑 | 姑父 | 叔叔 | 婶婶 | 伯伯
          | 继父 | 继母 | 养父 | 养母 | 阿姨
          | 表哥 | 表姐 | 表弟 | 表妹 | 堂哥 | 堂姐 | 堂弟 | 堂妹 | 嫂子 | 姐夫 | 姑妈 | 姨妈 | 干妈 | 舅公 | 姨婆 | 姑婆
          | 监护人 | 联系人 | 签名人 | 签字人 | 签名 | 签字 | 填表人 | 经办人 | 陪护人 | 陪同人
          | 代诉人 | 陈述者 | 提供者 | 主治医师 | 主治医生 | 经治医师 | 主管医师 | 主管医生
          | 管床医师 | 住院医师 | 主任医师 | 医师 | 医生 | 护士长 | 护士 | 报告人 | 记录人
          | 治疗师 | 教授 | 主任 | 科主任 | 带教老师 | 指导老师 | 班主任 | 老师 | 同学 | 邻居 | 家属 | 亲属 | 保姆
          | (?i:name|patient|mother|father|guardian|contact)\ ?:
          | 父 | 母 )
        \s*:?\s*",
    )
    .unwrap()
});

/// The ~190 most common single-character surnames. Characters that are
/// surnames but far more often something else in clinical text (查, 麻, 和,
/// 单, 解, 应) are left out on purpose.
pub(crate) const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜晏席卫米柏宗瞿桂全佟臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池苑迟邝封";

pub(crate) const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "令狐", "端木", "独孤", "南宫", "西门", "轩辕", "呼延", "钟离", "申屠", "赫连", "澹台",
    "淳于",
];

/// The first characters of the compound surnames: most characters of a
/// text start none, and one set lookup says so, where comparing the text
/// with each compound surname in turn took nearly a third of a whole
/// scan's time (perf, over the office's push).
static COMPOUND_FIRST: LazyLock<HashSet<char>> = LazyLock::new(|| {
    COMPOUND_SURNAMES
        .iter()
        .filter_map(|s| s.chars().next())
        .collect()
});

/// The compound surname `rest` starts with, if any.
pub(crate) fn compound_surname(rest: &str) -> Option<&'static str> {
    let first = rest.chars().next()?;
    if !COMPOUND_FIRST.contains(&first) {
        return None;
    }
    COMPOUND_SURNAMES
        .iter()
        .find(|s| rest.starts_with(**s))
        .copied()
}

/// Surnames that are also everyday words (高热, 常有, 于是, 方可, 白细胞,
/// 石膏, 何时, 明显, …). A name starting with one of these is reported only
/// when a clear delimiter follows it. Surnames with only one or two such
/// words (甘露醇, 牛奶) are handled by [`NOT_NAMES`] instead, so that 主任医师
/// 甘某某查房 is still found.
const AMBIGUOUS_SURNAMES: &str = "高常于方白石何明时连向严温康易包管关尚齐左卫余全安文万成曾马金";

/// Phrases that start with a surname character but are clinical or everyday
/// words, checked where the name would start.
pub(crate) const NOT_NAMES: &[&str] = &[
    "黄疸", "黄染", "黄色", "黄绿", "黄稠", "黄白", "高热", "高烧", "高危", "高血", "高度", "高于",
    "高出", "高中", "高铁", "高渗", "白细", "白天", "白色", "白斑", "白膜", "白质", "白蛋", "白日",
    "全身", "全血", "全程", "全部", "全职", "全天", "全麻", "周身", "周岁", "周围", "周内", "周后",
    "周前", "周余", "周龄", "周期", "余无", "余未", "余下", "余正", "余查", "曾于", "曾有", "曾经",
    "曾在", "曾患", "曾出", "曾行", "曾因", "曾用", "曾予", "曾多", "曾服", "明显", "明确", "明日",
    "明天", "明晨", "常规", "常见", "常有", "常于", "常年", "常伴", "时有", "时常", "时好", "时轻",
    "时间", "时而", "连续", "连日", "向上", "向下", "严重", "温度", "温和", "温水", "康复", "易激",
    "易惹", "易哭", "易感", "易出", "包括", "包块", "包皮", "管理", "管腔", "关节", "关注", "关于",
    "华法", "路径", "车祸", "尚可", "尚好", "尚未", "尚能", "尚平", "尚无", "齐全", "左侧", "左上",
    "左下", "左肺", "左心", "左手", "左足", "游走", "牛奶", "卫生", "石膏", "何时", "何以", "何种",
    "何处", "何故", "方可", "方法", "方案", "方才", "方便", "于是", "马上", "金黄", "安静", "安睡",
    "安全", "安抚", "文化", "万古", "成人", "成长", "成熟", "成功", "成绩", "毛发", "毛细", "毛囊",
    "苏醒", "任何", "范围", "陆续", "程度", "叶酸", "梅毒", "宫颈", "宫内", "焦虑", "焦躁", "胡言",
    "张口", "张力", "杨梅", "农民", "司机", "甘露", "谷丙", "谷草", "谷氨", "艾滋", "柴胡", "蒙脱",
    "冯氏", "童年", "农村", "江苏", "江西", "甘肃", "安徽", "史料", "古代", "景象", "宁可", "师范",
    "商量", "封闭", "毕业", "吉兰", "戴口", "鲁米",
];

/// Characters that cannot be part of a given name in this position: they
/// are what usually follows a name in a clinical sentence (因, 于, 男, 岁,
/// 体健, 电话, …).
pub(crate) const STOP_CHARS: &str = "提因于在有无诉现自已经曾为是的了后前时男女岁年日周次等及和与或咳嗽吐泻痛肿烧热体血尿便哭闹吃奶睡喘抽搐孕电手联住母父亲哥姐弟妹爷婆之其均也都就即去说称述代陪带送携签身份证号码院门诊科床患系不未偶今昨近发出入主每约共仍被由从对给予行做查见示能会需要将还又再并但却而个名位里病症疹腹胸呕乏精神面口唇皮肤头右";

/// Stop characters that are also common in given names (为民, 和平, 之涵,
/// 发财, 其琛, 行健).
const SOFT_STOP_CHARS: &str = "为和之发其行";

/// Two-character words that end a given name even though their first
/// character could belong to one (健康 after 王芳, 明显 after 林浩).
const STOP_WORDS: &[&str] = &[
    "健康", "平素", "既往", "文化", "职业", "工作", "工人", "务农", "农民", "教师", "个体", "吸烟",
    "饮酒", "智力", "营养", "喂养", "反复", "持续", "阵发", "突发", "突然", "意识", "食欲", "大便",
    "小便", "烦躁", "治疗", "静脉", "检查", "化验", "复查", "高热", "低热", "惊厥", "黄疸", "水肿",
    "贫血", "消瘦", "纳差", "心率", "四肢", "全身", "双侧", "左侧", "诊断", "考虑", "怀疑", "建议",
    "表示", "理解", "拒绝", "否认", "分娩", "剖宫", "顺产", "混合", "按时", "接种", "疫苗", "过敏",
    "家族", "遗传", "良好", "正常", "异常", "明显", "尚可", "一般", "一直", "多次", "间断", "晨起",
    "夜间", "白天", "上午", "下午", "中午", "晚上", "凌晨", "早产", "足月", "胎龄", "羊水", "新生",
    "疑似", "确诊", "初步", "外院", "当地", "本院", "我院", "目前", "伴有", "合并", "继发", "感染",
    "肺炎", "哮喘", "鼻塞", "流涕", "气促", "发绀", "紫绀", "苍白", "嗜睡", "昏迷", "肌张", "拒奶",
    "溢奶", "少尿", "矮小", "语言", "运动", "学习", "成绩", "注意", "情绪", "挑食", "偏食", "生后",
    "生长", "生命", "生产", "年龄", "今年", "现年", "孕期", "产检", "点评", "抚养", "反映", "提出",
    "要求", "查房", "会诊", "指导", "负责", "介绍", "讲解", "带领", "照顾", "看护",
];

/// What may directly follow a name that starts with an ambiguous surname.
const DELIMITERS: &str = "，。、；;,.()（）:：!?！？\"“”'‘’/男女";
/// Characters after which a name clearly ended, even with no punctuation
/// (外婆何某某代诉病史, 爷爷马某某有高血压): the verbs and particles that
/// usually follow the person a sentence is about.
const NAME_FOLLOWERS: &str = "因系诉于今昨近自出入在代陪带携电有无查";

/// A capitalised name of one to three words (Wang, Li Hua, Mary-Ann O'Neil).
const EN_NAME: &str = r"[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?(?: [A-Z][a-z]+(?:[-'][A-Z][a-z]+)?){0,2}";

static EN_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Consultant|Registrar|Matron|Sister|Nurse)\.? +({EN_NAME})")).unwrap()
});

/// Labels followed by a colon and a name. Capture 1 is the label.
static EN_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i:(full name|patient'?s? name|child'?s? name|name|patient|child|mother|father|parents?|guardian|caregiver|contact(?: person)?|next of kin|informant|signed(?: by)?|signature|attending(?: physician)?|physician|doctor|nurse)) ?: *({EN_NAME})"
    ))
    .unwrap()
});

/// A person word followed directly by a full name, with no colon: "patient
/// Zheng Yuxuan", "her mother Wang Fang". Only two-word names count here,
/// because a single capitalised word after "patient" is too often a
/// diagnosis or a sentence start.
static EN_RELATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i:patient|mother|father|guardian|grandmother|grandfather|aunt|uncle|named|called|son|daughter) +({EN_NAME})"
    ))
    .unwrap()
});

/// Capitalised words that follow person labels but are not names.
const EN_NOT_NAMES: &str = "\
    Healthy Well Alive Unknown None Not No Yes Nil Normal Negative Positive Male Female Boy \
    Girl Baby Infant Child Toddler Newborn Neonate Term Preterm Full The This That See Refer \
    Farmer Teacher Worker Doctor Nurse Driver Housewife Homemaker Unemployed Smoker Non Age \
    Aged Years Year Primigravida Multigravida Gravida Para History Chief Complaint Diagnosis \
    Ward Room Bed Department Pediatrics Paediatrics Hospital Clinic Centre Center Township \
    County Village Mother Father Grandmother Grandfather Parent Parents Guardian Aunt Uncle \
    Sister Brother Same As Above Below Mild Moderate Severe Blood Type Group Hepatitis Diabetes \
    Anemia Anaemia Asthma Gestational Living Deceased Divorced Married Single Primary Secondary \
    Middle High Junior Senior School University College Education Day Days Week Weeks Month \
    Months January February March April May June July August September October November \
    December Monday Tuesday Wednesday Thursday Friday Saturday Sunday Anonymous Redacted \
    Withheld Case Patient Name Student Resident Intern Attending Consultant Registrar Team Unit \
    On In At He She They His Her Their Reports Reported Denies Brought Present Presents \
    Concerned Works Breastfeeding Breastfed Vaccinated Immunised Immunized Available Informed \
    Consent Agreed Signed Paediatrician Pediatrician Surgeon Radiologist Anaesthetist \
    Anesthetist Neurologist Cardiologist Physician Emeritus Emergency Intensive Care Staff \
    Paediatric Pediatric Neonatal General Junior Senior Practitioner Midwife Led Charge";

/// Common Chinese surnames in pinyin. A single capitalised word after
/// "Mother:" or "Patient:" is reported with high confidence only if it is one
/// of these; otherwise it is as likely to be "Anxious" or "Afebrile".
const PINYIN_SURNAMES: &str = "\
    Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo \
    Zheng Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Yuan Pan Yu Jiang \
    Cai Du Ye Cheng Su Wei Lv Lu Ding Ren Shen Yao Cui Zhong Tan Fan Jin Shi Liao Jia Xia \
    Fu Fang Bai Zou Meng Xiong Qin Qiu Yin Xue Yan Duan Lei Hou Long Tao Gu Mao Hao Gong \
    Shao Wan Qian Kong Xiang Chang Wen Kang Niu Ge Xing An Qi Yi Qiao Pang Ni Zhuang Nie \
    Yue Zhai Zhan Ou Geng Guan Lan Jiao Zuo Gan Bao Ning Shang Shu Ruan Ke Ji Mei Tong Ling \
    Bi Shan Pei Huo Tu Miao Sheng Qu Weng Ran You Xin Chai Hua Pu Teng Rao Ouyang Sima \
    Zhuge Shangguan";

/// [`EN_NOT_NAMES`] as a set, since every capitalised word is looked up.
static NOT_ENGLISH_NAMES: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| EN_NOT_NAMES.split_whitespace().collect());

/// Whether a capitalised word is known not to be a name.
pub(crate) fn is_not_english_name(word: &str) -> bool {
    let head = word.split(['-', '\'', '’']).next().unwrap_or(word);
    NOT_ENGLISH_NAMES.contains(head)
}

pub(crate) fn detect(text: &str, hits: &mut Vec<Hit>) {
    crate::name_zh::detect(text, hits);
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        crate::name_en::detect(text, hits);
    }
    for m in ZH_CONTEXT.find_iter(text) {
        // English labels inside longer words ("nickname:") do not count.
        if m.as_str().starts_with(|c: char| c.is_ascii_alphabetic())
            && prev_char(text, m.start()).is_some_and(|c| c.is_ascii_alphabetic())
        {
            continue;
        }
        if let Some(hit) = chinese_name_at(text, m.end()) {
            hits.push(hit);
        }
    }
    detect_english(text, hits);
}

/// Reads a Chinese name starting at byte `at`, if there is one.
fn chinese_name_at(text: &str, at: usize) -> Option<Hit> {
    let rest = text.get(at..)?;
    let surname = compound_surname(rest).or_else(|| {
        rest.chars()
            .next()
            .filter(|&c| SURNAMES.contains(c))
            .map(|c| &rest[..c.len_utf8()])
    })?;
    if NOT_NAMES.iter().any(|w| rest.starts_with(w)) {
        return None;
    }
    let after_surname = &rest[surname.len()..];
    // 张某, 王某某, 李XX, 刘** are already masked.
    if after_surname.starts_with(['某', 'X', 'x', '*', '×', '○', '〇', '＊']) {
        return None;
    }

    let after = at + surname.len();
    let end = match given_name_end(text, after, false) {
        end if end > after => end,
        // 李为民, 张和平: a few stop characters are also common in given
        // names. Read them as part of the name only when a clear delimiter
        // follows, as in 父亲李为民，.
        _ => {
            let end = given_name_end(text, after, true);
            if end == after || !clearly_delimited(text, end) {
                return None;
            }
            end
        }
    };

    let next = next_char(text, end);
    let delimited = clearly_delimited(text, end);
    let ends_naturally = delimited
        || next.is_some_and(|c| !is_han(c) || STOP_CHARS.contains(c))
        || STOP_WORDS.iter().any(|w| text[end..].starts_with(w));
    let ambiguous = surname.chars().count() == 1 && AMBIGUOUS_SURNAMES.contains(surname);

    let (confidence, reason) = if ambiguous {
        if delimited || next.is_some_and(|c| NAME_FOLLOWERS.contains(c)) {
            (Confidence::High, ZH_REASON)
        } else {
            return None;
        }
    } else if ends_naturally {
        (Confidence::High, ZH_REASON)
    } else {
        (Confidence::Medium, ZH_REASON_UNSURE)
    };
    Some(Hit::new(
        Kind::Name,
        confidence,
        (at, end),
        reason,
        format!("{surname}某"),
    ))
}

/// Where a given name starting at `start` ends: after at most two Chinese
/// characters, before any stop character or stop word. With `soft`, the
/// characters in [`SOFT_STOP_CHARS`] do not stop it.
fn given_name_end(text: &str, start: usize, soft: bool) -> usize {
    let mut end = start;
    for c in text[start..].chars().take(2) {
        let stops = STOP_CHARS.contains(c) && !(soft && SOFT_STOP_CHARS.contains(c));
        if !is_han(c) || stops || STOP_WORDS.iter().any(|w| text[end..].starts_with(w)) {
            break;
        }
        end += c.len_utf8();
    }
    end
}

/// Whether a name ending at `end` is followed by punctuation, a space, the
/// end of the text, 男/女, or an age such as 3岁.
fn clearly_delimited(text: &str, end: usize) -> bool {
    match next_char(text, end) {
        None => true,
        Some(c) => c.is_whitespace() || DELIMITERS.contains(c) || is_age(&text[end..]),
    }
}

/// Whether `s` starts with an age in years such as `3岁`.
fn is_age(s: &str) -> bool {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && s[digits..].trim_start().starts_with('岁')
}

fn detect_english(text: &str, hits: &mut Vec<Hit>) {
    for caps in EN_TITLE.captures_iter(text) {
        let (Some(whole), Some(name)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        if prev_char(text, whole.start()).is_some_and(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        if let Some((end, _)) = trim_english_name(name.as_str()) {
            let span = (name.start(), name.start() + end);
            hits.push(Hit::new(
                Kind::Name,
                Confidence::High,
                span,
                EN_REASON,
                "[Name]",
            ));
        }
    }
    for caps in EN_LABEL.captures_iter(text) {
        let (Some(whole), Some(label), Some(name)) = (caps.get(0), caps.get(1), caps.get(2)) else {
            continue;
        };
        if prev_char(text, whole.start()).is_some_and(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let Some((end, words)) = trim_english_name(name.as_str()) else {
            continue;
        };
        let label = label.as_str().to_ascii_lowercase();
        let surname = PINYIN_SURNAMES
            .split_whitespace()
            .any(|s| s == &name.as_str()[..end]);
        let (confidence, reason) = if words >= 2 || surname {
            (Confidence::High, EN_REASON)
        } else if label.contains("name") || label.starts_with("sign") {
            (Confidence::Medium, EN_REASON)
        } else {
            (Confidence::Low, EN_REASON_UNSURE)
        };
        hits.push(Hit::new(
            Kind::Name,
            confidence,
            (name.start(), name.start() + end),
            reason,
            "[Name]",
        ));
    }
    for caps in EN_RELATION.captures_iter(text) {
        let (Some(whole), Some(name)) = (caps.get(0), caps.get(1)) else {
            continue;
        };
        if prev_char(text, whole.start()).is_some_and(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        if let Some((end, words)) = trim_english_name(name.as_str())
            && words >= 2
        {
            let span = (name.start(), name.start() + end);
            // "patient Zheng Yuxuan": a known surname or given name first
            // makes it a person, not "patient Received".
            let first = name.as_str().split(' ').next().unwrap_or("");
            let known = PINYIN_SURNAMES.split_whitespace().any(|s| s == first)
                || crate::name_en::is_given_name(first);
            hits.push(Hit::new(
                Kind::Name,
                if known {
                    Confidence::High
                } else {
                    Confidence::Medium
                },
                span,
                EN_REASON,
                "[Name]",
            ));
        }
    }
    crate::name_en::joined_names(text, hits);
}

/// Keeps the leading words of a capitalised run up to the first word that is
/// known not to be a name. Returns the byte length kept and the word count,
/// or `None` if the first word is already not a name.
fn trim_english_name(run: &str) -> Option<(usize, usize)> {
    let mut end = 0;
    let mut words = 0;
    for word in run.split(' ') {
        let head = word.split(['-', '\'']).next().unwrap_or(word);
        if NOT_ENGLISH_NAMES.contains(head) {
            break;
        }
        end = if words == 0 {
            word.len()
        } else {
            end + 1 + word.len()
        };
        words += 1;
    }
    (words > 0).then_some((end, words))
}

#[cfg(test)]
mod tests {
    use crate::{Confidence, Kind, scan};

    fn names(text: &str) -> Vec<(Confidence, String, String)> {
        scan(text)
            .into_iter()
            .filter(|f| f.kind == Kind::Name)
            .map(|f| (f.confidence, f.text, f.mask))
            .collect()
    }

    fn high(text: &str, name: &str, mask: &str) {
        assert_eq!(
            names(text),
            [(Confidence::High, name.to_owned(), mask.to_owned())],
            "{text}"
        );
    }

    #[test]
    fn chinese_names_after_person_words() {
        high("患儿张小明，男，3岁", "张小明", "张某");
        high("患儿李华因发热2天入院", "李华", "李某");
        high("母亲王芳32岁，体健", "王芳", "王某");
        high("姓名：欧阳思琪 性别：女", "欧阳思琪", "欧阳某");
        high("父亲刘建国体健", "刘建国", "刘某");
        high("联系人赵敏电话请见首页", "赵敏", "赵某");
        high("主治医师：孙立伟", "孙立伟", "孙某");
        high("患儿林浩明显消瘦", "林浩", "林某");
        high("患儿高明，男，5岁", "高明", "高某");
        high("Mother: 陈静，", "陈静", "陈某");
        high("爷爷李为民，72岁", "李为民", "李某");
        high("外公张和平 务农", "张和平", "张某");
        high("患儿哥哥黄子航（12岁）", "黄子航", "黄某");
        high("主任医师甘志明查房", "甘志明", "甘某");
        high("签字人：罗永强（父亲）", "罗永强", "罗某");
    }

    #[test]
    fn masked_names_and_clinical_phrases_are_not_names() {
        for text in [
            "患儿张某，男，3岁",
            "患儿王某某因咳嗽就诊",
            "母亲李XX体健",
            "父亲刘**",
            "患儿3天前出现发热",
            "患儿精神差，纳差",
            "患儿高热3天",
            "患儿高热，伴寒战",
            "患儿于昨日出现抽搐",
            "患儿黄疸，皮肤黄染",
            "患儿白细胞升高",
            "患儿常于夜间咳嗽",
            "患儿明显消瘦",
            "患儿何时开始发热不详",
            "患儿方可出院",
            "患儿石膏固定",
            "母亲孕期体健",
            "父母均体健",
            "母乳喂养",
            "患儿周身皮疹",
            "患儿曾于外院治疗",
            "母亲文化程度初中",
            "家长焦虑",
            "患儿全身皮肤黏膜无黄染",
            "医生高度怀疑川崎病",
            "患儿曾为早产儿",
            "母亲王为主要照顾者",
        ] {
            let found: Vec<_> = names(text)
                .into_iter()
                .filter(|(c, _, _)| *c >= Confidence::Medium)
                .collect();
            assert!(found.is_empty(), "{text}: {found:?}");
        }
    }

    #[test]
    fn english_names() {
        assert_eq!(names("Seen by Dr. Smith today")[0].1, "Smith");
        assert_eq!(names("Mrs Chen Li brought the child")[0].1, "Chen Li");
        assert_eq!(
            names("Name: Li Hua, 3 years")[0],
            (Confidence::High, "Li Hua".into(), "[Name]".into())
        );
        assert_eq!(names("Mother: Wang Fang (32)")[0].1, "Wang Fang");
        assert!(names("Mother: Healthy, 30 years old").is_empty());
        assert_eq!(names("Father: Wang, 35")[0].0, Confidence::High);
        assert_eq!(names("Name: Emma")[0].0, Confidence::Medium);
        assert_eq!(names("Mother: Anxious")[0].0, Confidence::Low);
        assert!(names("Father: Smoker").is_empty());
        assert!(names("MR 2/6 murmur, Patient: Male infant").is_empty());
        assert!(names("Dr. The").is_empty());
        assert_eq!(
            names("Discharge summary for patient Zheng Yuxuan, 6 years")[0].1,
            "Zheng Yuxuan"
        );
        assert!(names("the patient Received antibiotics").is_empty());
    }
}
