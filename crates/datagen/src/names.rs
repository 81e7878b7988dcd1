//! Chinese personal names: surnames weighted by how common they are, given names of one or
//! two characters from separate male and female pools. Every character carries its pinyin so
//! that e-mail addresses and WeChat IDs can be derived from the name, as people do.

use fours_domain::customers::Gender;
use rand::Rng;

use crate::Rng as GenRng;
use crate::weighted::Weighted;

/// Surname, pinyin, weight (per hundred thousand people, roughly the 2020 census shares).
pub(crate) const SURNAMES: &[(&str, &str, u32)] = &[
    ("王", "wang", 7120),
    ("李", "li", 7000),
    ("张", "zhang", 6640),
    ("刘", "liu", 5380),
    ("陈", "chen", 4610),
    ("杨", "yang", 3090),
    ("黄", "huang", 2500),
    ("赵", "zhao", 2290),
    ("吴", "wu", 2050),
    ("周", "zhou", 2040),
    ("徐", "xu", 1680),
    ("孙", "sun", 1540),
    ("马", "ma", 1410),
    ("朱", "zhu", 1310),
    ("胡", "hu", 1300),
    ("郭", "guo", 1210),
    ("何", "he", 1180),
    ("林", "lin", 1130),
    ("高", "gao", 1110),
    ("罗", "luo", 1080),
    ("郑", "zheng", 1010),
    ("梁", "liang", 930),
    ("谢", "xie", 830),
    ("宋", "song", 810),
    ("唐", "tang", 790),
    ("许", "xu", 710),
    ("韩", "han", 710),
    ("邓", "deng", 700),
    ("冯", "feng", 700),
    ("曹", "cao", 680),
    ("彭", "peng", 640),
    ("曾", "zeng", 630),
    ("肖", "xiao", 620),
    ("田", "tian", 600),
    ("董", "dong", 540),
    ("潘", "pan", 520),
    ("袁", "yuan", 520),
    ("蔡", "cai", 500),
    ("蒋", "jiang", 500),
    ("余", "yu", 490),
    ("于", "yu", 490),
    ("杜", "du", 480),
    ("叶", "ye", 460),
    ("程", "cheng", 450),
    ("魏", "wei", 440),
    ("苏", "su", 440),
    ("吕", "lv", 430),
    ("丁", "ding", 420),
    ("任", "ren", 420),
    ("卢", "lu", 410),
    ("姚", "yao", 400),
    ("沈", "shen", 400),
    ("钟", "zhong", 390),
    ("姜", "jiang", 390),
    ("崔", "cui", 380),
    ("谭", "tan", 380),
    ("陆", "lu", 360),
    ("范", "fan", 340),
    ("汪", "wang", 340),
    ("廖", "liao", 330),
    ("石", "shi", 330),
    ("金", "jin", 320),
    ("韦", "wei", 320),
    ("贾", "jia", 310),
    ("夏", "xia", 310),
    ("付", "fu", 310),
    ("方", "fang", 300),
    ("邹", "zou", 290),
    ("熊", "xiong", 290),
    ("白", "bai", 290),
    ("孟", "meng", 280),
    ("秦", "qin", 280),
    ("邱", "qiu", 280),
    ("侯", "hou", 270),
    ("江", "jiang", 270),
    ("尹", "yin", 260),
    ("薛", "xue", 250),
    ("闫", "yan", 250),
    ("段", "duan", 240),
    ("雷", "lei", 240),
    ("龙", "long", 230),
    ("黎", "li", 230),
    ("史", "shi", 230),
    ("陶", "tao", 230),
    ("贺", "he", 220),
    ("毛", "mao", 210),
    ("郝", "hao", 210),
    ("顾", "gu", 210),
    ("龚", "gong", 200),
    ("邵", "shao", 200),
    ("万", "wan", 200),
    ("覃", "qin", 190),
    ("武", "wu", 190),
    ("钱", "qian", 190),
    ("戴", "dai", 180),
    ("严", "yan", 180),
    ("莫", "mo", 170),
    ("孔", "kong", 170),
    ("向", "xiang", 170),
    ("常", "chang", 160),
    ("汤", "tang", 160),
    ("康", "kang", 150),
    ("易", "yi", 150),
    ("乔", "qiao", 150),
    ("赖", "lai", 150),
    ("文", "wen", 140),
    // Two-character surnames: rare, but every dealership has met one.
    ("欧阳", "ouyang", 20),
    ("司徒", "situ", 8),
    ("上官", "shangguan", 5),
    ("司马", "sima", 4),
    ("诸葛", "zhuge", 4),
    ("皇甫", "huangfu", 3),
    ("东方", "dongfang", 3),
    ("夏侯", "xiahou", 2),
    ("慕容", "murong", 2),
    ("令狐", "linghu", 2),
];

/// Characters common in men's given names, with pinyin.
const MALE_CHARS: &[(&str, &str)] = &[
    ("伟", "wei"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("勇", "yong"),
    ("杰", "jie"),
    ("涛", "tao"),
    ("斌", "bin"),
    ("超", "chao"),
    ("明", "ming"),
    ("刚", "gang"),
    ("平", "ping"),
    ("辉", "hui"),
    ("鹏", "peng"),
    ("华", "hua"),
    ("飞", "fei"),
    ("鑫", "xin"),
    ("波", "bo"),
    ("宇", "yu"),
    ("浩", "hao"),
    ("凯", "kai"),
    ("健", "jian"),
    ("俊", "jun"),
    ("帆", "fan"),
    ("帅", "shuai"),
    ("旭", "xu"),
    ("宁", "ning"),
    ("龙", "long"),
    ("林", "lin"),
    ("峰", "feng"),
    ("建", "jian"),
    ("国", "guo"),
    ("志", "zhi"),
    ("文", "wen"),
    ("海", "hai"),
    ("晨", "chen"),
    ("阳", "yang"),
    ("东", "dong"),
    ("亮", "liang"),
    ("成", "cheng"),
    ("毅", "yi"),
    ("博", "bo"),
    ("天", "tian"),
    ("子", "zi"),
    ("轩", "xuan"),
    ("昊", "hao"),
    ("然", "ran"),
    ("睿", "rui"),
    ("泽", "ze"),
    ("嘉", "jia"),
    ("宏", "hong"),
    ("立", "li"),
    ("新", "xin"),
    ("永", "yong"),
    ("德", "de"),
    ("荣", "rong"),
    ("兵", "bing"),
    ("坤", "kun"),
    ("彬", "bin"),
    ("晓", "xiao"),
    ("振", "zhen"),
    ("家", "jia"),
    ("豪", "hao"),
    ("铭", "ming"),
    ("瑞", "rui"),
    ("翔", "xiang"),
    ("庆", "qing"),
    ("福", "fu"),
    ("春", "chun"),
    ("金", "jin"),
];

/// Characters common in women's given names, with pinyin.
const FEMALE_CHARS: &[(&str, &str)] = &[
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("艳", "yan"),
    ("娟", "juan"),
    ("霞", "xia"),
    ("秀", "xiu"),
    ("玲", "ling"),
    ("燕", "yan"),
    ("婷", "ting"),
    ("慧", "hui"),
    ("莉", "li"),
    ("红", "hong"),
    ("梅", "mei"),
    ("琳", "lin"),
    ("雪", "xue"),
    ("晶", "jing"),
    ("倩", "qian"),
    ("颖", "ying"),
    ("洁", "jie"),
    ("璐", "lu"),
    ("佳", "jia"),
    ("欣", "xin"),
    ("怡", "yi"),
    ("萍", "ping"),
    ("丹", "dan"),
    ("琴", "qin"),
    ("云", "yun"),
    ("凤", "feng"),
    ("兰", "lan"),
    ("月", "yue"),
    ("蕾", "lei"),
    ("雯", "wen"),
    ("薇", "wei"),
    ("晓", "xiao"),
    ("嘉", "jia"),
    ("思", "si"),
    ("雨", "yu"),
    ("梓", "zi"),
    ("涵", "han"),
    ("诗", "shi"),
    ("悦", "yue"),
    ("可", "ke"),
    ("馨", "xin"),
    ("瑶", "yao"),
    ("琪", "qi"),
    ("婧", "jing"),
    ("淑", "shu"),
    ("惠", "hui"),
    ("美", "mei"),
    ("春", "chun"),
    ("桂", "gui"),
    ("英", "ying"),
    ("珊", "shan"),
    ("蓉", "rong"),
    ("露", "lu"),
    ("菲", "fei"),
    ("亚", "ya"),
    ("宁", "ning"),
    ("文", "wen"),
];

/// Share of given names with a single character (张伟, 李娜), in percent.
const SINGLE_CHAR_PERCENT: u32 = 30;

/// A generated name with the pinyin of its parts.
#[derive(Debug, Clone)]
pub(crate) struct Name {
    pub(crate) text: String,
    pub(crate) surname: usize,
    pub(crate) given_pinyin: [&'static str; 2],
}

impl Name {
    pub(crate) fn surname_pinyin(&self) -> &'static str {
        SURNAMES[self.surname].1
    }

    /// `zhangwei`, `ouyangxiaoming`.
    pub(crate) fn pinyin(&self) -> String {
        let mut out = String::with_capacity(16);
        out.push_str(self.surname_pinyin());
        for part in self.given_pinyin {
            out.push_str(part);
        }
        out
    }

    /// `zw`, `oyxm`: initials, the other common way of spelling a handle.
    pub(crate) fn initials(&self) -> String {
        let surname = self.surname_pinyin();
        let mut out = String::with_capacity(4);
        // Two-character surnames contribute two initials (欧阳 → oy).
        out.push_str(&surname[..1]);
        if SURNAMES[self.surname].0.chars().count() == 2
            && let Some(second) = second_syllable_start(surname)
        {
            out.push_str(&surname[second..=second]);
        }
        for part in self.given_pinyin.iter().filter(|p| !p.is_empty()) {
            out.push_str(&part[..1]);
        }
        out
    }
}

/// Byte index where the second syllable of a two-syllable pinyin word starts. Only used on
/// the compound surnames above, whose spellings are known.
fn second_syllable_start(pinyin: &str) -> Option<usize> {
    Some(match pinyin {
        "ouyang" => 2,
        "situ" => 2,
        "shangguan" => 5,
        "sima" => 2,
        "zhuge" => 3,
        "huangfu" => 5,
        "dongfang" => 4,
        "xiahou" => 3,
        "murong" => 2,
        "linghu" => 4,
        _ => return None,
    })
}

pub(crate) struct NameTables {
    surnames: Weighted,
}

impl NameTables {
    pub(crate) fn new() -> Self {
        Self {
            surnames: Weighted::new(SURNAMES.iter().map(|s| s.2)),
        }
    }

    pub(crate) fn surname(&self, rng: &mut GenRng) -> usize {
        self.surnames.sample(rng)
    }

    /// A full name with a freshly drawn surname.
    pub(crate) fn name(&self, rng: &mut GenRng, gender: Gender) -> Name {
        let surname = self.surname(rng);
        given_name(rng, surname, gender)
    }
}

/// A name with the given surname and a freshly drawn given name.
pub(crate) fn given_name(rng: &mut GenRng, surname: usize, gender: Gender) -> Name {
    let pool = match gender {
        Gender::Male => MALE_CHARS,
        Gender::Female => FEMALE_CHARS,
    };
    let mut text = String::with_capacity(12);
    text.push_str(SURNAMES[surname].0);
    let mut given_pinyin = [""; 2];
    // Two-character surnames mostly pair with two-character given names (欧阳娜娜 is rarer
    // than 欧阳晓明), so the single-character share applies to one-character surnames only.
    let compound = SURNAMES[surname].0.chars().count() == 2;
    let count = if !compound && rng.random_ratio(SINGLE_CHAR_PERCENT, 100) {
        1
    } else {
        2
    };
    for slot in given_pinyin.iter_mut().take(count) {
        let (c, py) = pool[rng.random_range(0..pool.len())];
        text.push_str(c);
        *slot = py;
    }
    Name {
        text,
        surname,
        given_pinyin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn surnames_are_unique_and_cover_the_big_hundred() {
        let mut seen = std::collections::HashSet::new();
        for (s, py, w) in SURNAMES {
            assert!(seen.insert(*s), "{s} twice");
            assert!(*w > 0);
            assert!(!py.is_empty() && py.bytes().all(|b| b.is_ascii_lowercase()));
            if s.chars().count() == 2 {
                assert!(second_syllable_start(py).is_some(), "{s}");
            }
        }
        assert!(SURNAMES.len() >= 100);
    }

    #[test]
    fn pools_are_distinct_characters() {
        for pool in [MALE_CHARS, FEMALE_CHARS] {
            let set: std::collections::HashSet<_> = pool.iter().map(|c| c.0).collect();
            assert_eq!(set.len(), pool.len());
            assert!(pool.iter().all(|c| c.0.chars().count() == 1));
        }
    }

    #[test]
    fn names_have_two_to_four_characters() {
        let tables = NameTables::new();
        let mut rng = GenRng::seed_from_u64(3);
        for i in 0..2000 {
            let gender = if i % 2 == 0 {
                Gender::Male
            } else {
                Gender::Female
            };
            let name = tables.name(&mut rng, gender);
            let len = name.text.chars().count();
            assert!((2..=4).contains(&len), "{}", name.text);
            assert!(name.pinyin().len() >= 3);
            let initials = name.initials();
            assert!(
                (2..=4).contains(&initials.len()),
                "{} {initials}",
                name.text
            );
        }
    }

    #[test]
    fn compound_surname_initials() {
        let ouyang = SURNAMES.iter().position(|s| s.0 == "欧阳").unwrap();
        let name = Name {
            text: "欧阳晓明".into(),
            surname: ouyang,
            given_pinyin: ["xiao", "ming"],
        };
        assert_eq!(name.initials(), "oyxm");
        assert_eq!(name.pinyin(), "ouyangxiaoming");
    }
}
