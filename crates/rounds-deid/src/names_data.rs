//! Data for the name detectors, written for Rounds: which characters are
//! common in Chinese given names, and which English given names are common
//! enough, and rare enough as ordinary words, to mark a name in prose.
//!
//! The Chinese list is the characters that dominate given names in the
//! mainland's name statistics (virtues, nature, precious things, the
//! generation characters of the last decades: 伟 芳 娜 … 梓 涵 轩 …), and
//! leaves out characters that mostly begin clinical words after a surname
//! (热 咳 疸 …). A candidate name counts only when every character of its
//! given name is in the list, which is what keeps 安静时 or 高热时 from
//! reading as names where there is no context word.
//!
//! The English list leaves out names that are also common words or
//! eponyms in clinical English (May, June, Will, Frank, Max, Ray, Gene,
//! Iris, Rose, Hope, Grace is kept because it is rarely capitalised in prose
//! otherwise).

/// Characters common in Chinese given names.
pub(crate) const GIVEN_CHARS: &str = "\
伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰华红玉萍建国文辉鹏斌宇浩凯健俊帆帅旭宁龙林欣佳怡梓涵萱子轩雨泽博思睿晨辰瑞宸\
一诺铭昊天可馨然琪嘉琳雅晴彤悦妍婷雪梅莉燕凤玲菊珍香琴云莲芬春秋冬夏海波峰山松岩志德福贵才成荣胜利宏东新民安康永长保生庆立光亮\
兵武忠义礼信仁智勤朝阳晓小少世家学振兴金银宝珠翠彩慧婉淑惠娇媛姗倩薇蕾蓉艺颖璐瑶露洁清澜沛源淇楠桐杉柏森杨柳烨煜炜灿晶昕晗暄曦\
昱航远逸骏驰腾飞翔鸿鹤凡希望乐欢笑心意语言诗书墨锦绣丹青蓝紫依伊娅若溪婧妮娴嫣婕媚茜芸芷芝萌蔓菲莹莎芮苗茹荷莎蓓蕊薇\
霖雯霏雅韵音钰铮锋锐钧鑫鉴镇威武斌彬杉梁栋材杰柱楷模樑樟桦梧槐榕橙\
浩淼涵润泓洪波涛澄溪沁泉泊洲江河湖洋海淳渊湘漫潇濛灵\
辉耀煌炎焕烁燃熙照熠琛琦琨瑜瑾璇璋琰瑶琼璐玮珏珂珊珺\
贤良美芬馨懿哲彦瀚翰儒恩慈爱喜恬盛昌隆旺富丰卫迎\
振宇宙寰宁静致远志坚毅刚柔晴朗雪霁露霜云霞虹霓月星辰\
晨曦朝暮岚峦峻岭嵩崇巍屹峥嵘玉石磊晶莹璀璨\
";

/// Common English given names (female and male), capitalised as written.
pub(crate) const EN_GIVEN_NAMES: &str = "\
Olivia Grace Emma Ava Sophia Sophie Isabella Mia Amelia Evelyn Abigail Emily Elizabeth Ella \
Sofia Camila Aria Scarlett Victoria Madison Luna Chloe Penelope Layla Zoey Nora Lily Eleanor \
Hannah Lillian Aubrey Ellie Stella Natalie Zoe Leah Hazel Aurora Savannah Audrey Brooklyn \
Bella Claire Lucy Anna Caroline Emilia Samantha Maya \
Kinsley Naomi Aaliyah Elena Sarah Ariana Allison Gabriella Alice Madelyn Cora Eva \
Adeline Hailey Gianna Valentina Isla Eliana Nevaeh Sadie Piper Lydia Alexa Josephine \
Emery Julia Delilah Arianna Vivian Kaylee Sophie Brielle Madeline Rylee Clara Hadley \
Melanie Mackenzie Adalynn Liliana Aubree Katherine Isabelle Natalia Raelynn Maria \
Athena Ximena Arya Leilani Kylie Alexandra Mary Margaret Lyla Ashley Amaya \
Eliza Brianna Andrea Khloe Jasmine Isabel Norah Annabelle Valeria \
Adalyn Ryleigh Eden Emersyn Anastasia Kayla Alyssa Juliana Charlotte Rachel Rebecca Laura Jessica \
Jennifer Amanda Stephanie Nicole Megan Lauren Heather Michelle Kimberly Amy Angela Melissa Helen \
Susan Karen Nancy Lisa Betty Sandra Donna Carol Ruth Sharon Deborah Linda Barbara Patricia \
Catherine Christine Janet Diane Julie Joyce Gloria Teresa Judith Cheryl Martha Priya Anjali Aisha \
Fatima Yasmin \
Liam Noah Oliver Elijah James William Benjamin Lucas Henry Alexander Michael Ethan Daniel \
Jacob Logan Jackson Levi Sebastian Mateo Jack Owen Theodore Aiden Samuel Joseph John David Wyatt \
Matthew Luke Asher Julian Grayson Leo Jayden Gabriel Isaac Anthony Dylan \
Ezra Thomas Charles Christopher Jaxon Josiah Isaiah Andrew Elias Joshua Nathan Caleb \
Ryan Adrian Miles Eli Nolan Christian Aaron Cameron Ezekiel Colton Luca Landon Jonathan \
Santiago Axel Jeremiah Roman Connor Jameson Robert Greyson Ian Carson \
Jaxson Leonardo Nicholas Dominic Everett Xavier Jose Adam Jace Wesley \
Kayden Silas Bennett Declan Waylon Evan Emmett Micah Damian Brayden Gael \
Rowan Harrison Bryson Amir Jason Giovanni Vincent Ayden Myles Diego \
Nathaniel Jonah Tyler Cole Braxton George Milo Zachary Luis Jasper Kaiden \
Adriel Gavin Calvin Juan Maxwell Kaleb Kevin Peter Paul Mark Steven Edward \
Brian Ronald Timothy Jeffrey Gary Eric Stephen Larry Justin Scott Brandon Gregory Patrick \
Raymond Jerry Dennis Walter Harold Douglas Kenneth Richard Donald Philip Martin Simon Harry \
Alfie Archie Freddie Oscar Arthur Alfred Theo Toby Finley Reuben Tom Ben Sam Joe Dan Rahul \
Arjun Omar Ahmed Hassan Ali Yusuf Tariq \
";

/// Words that, right after a name, show it is an eponym rather than a
/// person in the case (Charles Bonnet syndrome, Flint murmur).
pub(crate) const EPONYM_FOLLOWERS: &[&str] = &[
    "syndrome",
    "disease",
    "sign",
    "signs",
    "murmur",
    "test",
    "score",
    "scale",
    "criteria",
    "classification",
    "method",
    "manoeuvre",
    "maneuver",
    "procedure",
    "reflex",
    "phenomenon",
    "tumour",
    "tumor",
    "palsy",
    "lymphoma",
    "fracture",
    "ulcer",
    "equation",
    "formula",
    "chart",
    "curve",
    "law",
    "rule",
    "operation",
    "repair",
    "approach",
    "index",
    "stage",
    "staging",
    "type",
    "anomaly",
    "malformation",
    "triad",
    "nodes",
    "spots",
    "line",
    "lines",
];
