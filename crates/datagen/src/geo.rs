//! Where customers live: cities with their plate prefixes, real districts (administrative
//! division code and postcode) and well-known roads, and residential compound names.

use rand::Rng;

use crate::Rng as GenRng;
use crate::phones::push_zero_padded;
use crate::weighted::Weighted;

#[derive(Debug)]
pub(crate) struct District {
    pub(crate) name: &'static str,
    /// GB/T 2260 code: the first six digits of a resident ID registered there.
    pub(crate) code: &'static str,
    pub(crate) postcode: &'static str,
}

#[derive(Debug)]
pub(crate) struct City {
    pub(crate) province: &'static str,
    pub(crate) city: &'static str,
    /// One-character abbreviation on plates (京, 粤, 赣).
    pub(crate) plate_province: &'static str,
    /// Issuing-authority letters used in this city (粤B: Shenzhen; Beijing uses many).
    pub(crate) plate_letters: &'static str,
    pub(crate) weight: u32,
    pub(crate) districts: &'static [District],
    pub(crate) roads: &'static [&'static str],
}

const fn d(name: &'static str, code: &'static str, postcode: &'static str) -> District {
    District {
        name,
        code,
        postcode,
    }
}

pub(crate) const CITIES: &[City] = &[
    City {
        province: "北京市",
        city: "北京市",
        plate_province: "京",
        plate_letters: "ACEFGHJKLMNPQ",
        weight: 10,
        districts: &[
            d("东城区", "110101", "100010"),
            d("西城区", "110102", "100032"),
            d("朝阳区", "110105", "100020"),
            d("丰台区", "110106", "100071"),
            d("海淀区", "110108", "100080"),
            d("通州区", "110112", "101100"),
            d("昌平区", "110114", "102200"),
            d("大兴区", "110115", "102600"),
        ],
        roads: &[
            "建国路",
            "朝阳北路",
            "中关村大街",
            "学院路",
            "西直门外大街",
            "东三环中路",
            "望京街",
            "亮马桥路",
            "丰台北路",
            "阜成路",
            "安立路",
            "广渠路",
        ],
    },
    City {
        province: "上海市",
        city: "上海市",
        plate_province: "沪",
        plate_letters: "ABDEFGHJKLMN",
        weight: 10,
        districts: &[
            d("黄浦区", "310101", "200001"),
            d("徐汇区", "310104", "200030"),
            d("长宁区", "310105", "200050"),
            d("静安区", "310106", "200040"),
            d("普陀区", "310107", "200333"),
            d("杨浦区", "310110", "200082"),
            d("闵行区", "310112", "201100"),
            d("宝山区", "310113", "201900"),
            d("浦东新区", "310115", "200120"),
        ],
        roads: &[
            "南京西路",
            "淮海中路",
            "世纪大道",
            "张杨路",
            "漕溪北路",
            "延安西路",
            "四川北路",
            "虹桥路",
            "肇嘉浜路",
            "长寿路",
            "莘庄路",
            "共和新路",
        ],
    },
    City {
        province: "天津市",
        city: "天津市",
        plate_province: "津",
        plate_letters: "ACDFGHJKLMN",
        weight: 4,
        districts: &[
            d("和平区", "120101", "300041"),
            d("河东区", "120102", "300171"),
            d("河西区", "120103", "300202"),
            d("南开区", "120104", "300100"),
            d("河北区", "120105", "300143"),
            d("滨海新区", "120116", "300450"),
        ],
        roads: &[
            "南京路",
            "卫津路",
            "友谊路",
            "解放北路",
            "黄河道",
            "红旗南路",
            "中山路",
            "津塘路",
        ],
    },
    City {
        province: "重庆市",
        city: "重庆市",
        plate_province: "渝",
        plate_letters: "ABD",
        weight: 6,
        districts: &[
            d("渝中区", "500103", "400010"),
            d("江北区", "500105", "400020"),
            d("沙坪坝区", "500106", "400030"),
            d("九龙坡区", "500107", "400050"),
            d("南岸区", "500108", "400060"),
            d("渝北区", "500112", "401120"),
        ],
        roads: &[
            "中山三路",
            "建新北路",
            "南坪西路",
            "杨家坪正街",
            "金开大道",
            "红锦大道",
            "小龙坎正街",
            "民生路",
        ],
    },
    City {
        province: "广东省",
        city: "广州市",
        plate_province: "粤",
        plate_letters: "A",
        weight: 8,
        districts: &[
            d("荔湾区", "440103", "510140"),
            d("越秀区", "440104", "510030"),
            d("海珠区", "440105", "510220"),
            d("天河区", "440106", "510630"),
            d("白云区", "440111", "510400"),
            d("番禺区", "440113", "511400"),
        ],
        roads: &[
            "天河路",
            "中山大道",
            "环市东路",
            "黄埔大道",
            "江南大道",
            "工业大道",
            "广州大道",
            "白云大道",
            "番禺大道",
            "东风中路",
        ],
    },
    City {
        province: "广东省",
        city: "深圳市",
        plate_province: "粤",
        plate_letters: "B",
        weight: 8,
        districts: &[
            d("罗湖区", "440303", "518001"),
            d("福田区", "440304", "518048"),
            d("南山区", "440305", "518052"),
            d("宝安区", "440306", "518101"),
            d("龙岗区", "440307", "518172"),
            d("龙华区", "440309", "518109"),
        ],
        roads: &[
            "深南大道",
            "滨海大道",
            "福华路",
            "科技园路",
            "南海大道",
            "建设路",
            "宝安大道",
            "龙岗大道",
            "红荔路",
            "民治大道",
        ],
    },
    City {
        province: "广东省",
        city: "佛山市",
        plate_province: "粤",
        plate_letters: "EX",
        weight: 3,
        districts: &[
            d("禅城区", "440604", "528000"),
            d("南海区", "440605", "528200"),
            d("顺德区", "440606", "528300"),
        ],
        roads: &[
            "季华路",
            "汾江中路",
            "桂澜路",
            "佛山大道",
            "岭南大道",
            "南海大道",
        ],
    },
    City {
        province: "广东省",
        city: "东莞市",
        plate_province: "粤",
        plate_letters: "S",
        weight: 3,
        districts: &[
            d("南城街道", "441900", "523000"),
            d("东城街道", "441900", "523000"),
            d("松山湖", "441900", "523808"),
            d("虎门镇", "441900", "523900"),
            d("长安镇", "441900", "523850"),
        ],
        roads: &[
            "东城中路",
            "鸿福路",
            "莞太路",
            "元美路",
            "东纵大道",
            "宏图路",
        ],
    },
    City {
        province: "浙江省",
        city: "杭州市",
        plate_province: "浙",
        plate_letters: "A",
        weight: 6,
        districts: &[
            d("上城区", "330102", "310002"),
            d("拱墅区", "330105", "310011"),
            d("西湖区", "330106", "310013"),
            d("滨江区", "330108", "310051"),
            d("萧山区", "330109", "311200"),
            d("余杭区", "330110", "311100"),
        ],
        roads: &[
            "延安路",
            "文三路",
            "天目山路",
            "庆春路",
            "江南大道",
            "钱江路",
            "文一西路",
            "莫干山路",
            "市心中路",
        ],
    },
    City {
        province: "浙江省",
        city: "宁波市",
        plate_province: "浙",
        plate_letters: "B",
        weight: 3,
        districts: &[
            d("海曙区", "330203", "315000"),
            d("江北区", "330205", "315020"),
            d("北仑区", "330206", "315800"),
            d("鄞州区", "330212", "315100"),
        ],
        roads: &[
            "中山西路",
            "天童南路",
            "百丈路",
            "解放南路",
            "药行街",
            "四明中路",
        ],
    },
    City {
        province: "江苏省",
        city: "南京市",
        plate_province: "苏",
        plate_letters: "A",
        weight: 5,
        districts: &[
            d("玄武区", "320102", "210018"),
            d("秦淮区", "320104", "210001"),
            d("建邺区", "320105", "210019"),
            d("鼓楼区", "320106", "210009"),
            d("江宁区", "320115", "211100"),
        ],
        roads: &[
            "中山路",
            "中山东路",
            "汉中路",
            "江东中路",
            "北京西路",
            "龙蟠中路",
            "双龙大道",
            "中央路",
        ],
    },
    City {
        province: "江苏省",
        city: "苏州市",
        plate_province: "苏",
        plate_letters: "EU",
        weight: 4,
        districts: &[
            d("虎丘区", "320505", "215011"),
            d("吴中区", "320506", "215100"),
            d("相城区", "320507", "215131"),
            d("姑苏区", "320508", "215000"),
            d("吴江区", "320509", "215200"),
        ],
        roads: &[
            "人民路",
            "干将路",
            "三香路",
            "星湖街",
            "现代大道",
            "东环路",
            "石湖西路",
        ],
    },
    City {
        province: "四川省",
        city: "成都市",
        plate_province: "川",
        plate_letters: "AG",
        weight: 7,
        districts: &[
            d("锦江区", "510104", "610021"),
            d("青羊区", "510105", "610031"),
            d("金牛区", "510106", "610036"),
            d("武侯区", "510107", "610041"),
            d("成华区", "510108", "610051"),
            d("双流区", "510116", "610200"),
        ],
        roads: &[
            "人民南路",
            "天府大道",
            "蜀都大道",
            "春熙路",
            "一环路南三段",
            "建设路",
            "科华北路",
            "武侯祠大街",
            "府青路",
        ],
    },
    City {
        province: "江西省",
        city: "南昌市",
        plate_province: "赣",
        plate_letters: "AM",
        weight: 4,
        districts: &[
            d("东湖区", "360102", "330006"),
            d("西湖区", "360103", "330009"),
            d("青云谱区", "360104", "330001"),
            d("青山湖区", "360111", "330029"),
            d("新建区", "360112", "330100"),
            d("红谷滩区", "360113", "330038"),
        ],
        roads: &[
            "八一大道",
            "阳明路",
            "北京西路",
            "红谷中大道",
            "象山北路",
            "井冈山大道",
            "南京东路",
            "洪都北大道",
        ],
    },
    City {
        province: "湖北省",
        city: "武汉市",
        plate_province: "鄂",
        plate_letters: "A",
        weight: 6,
        districts: &[
            d("江岸区", "420102", "430010"),
            d("江汉区", "420103", "430015"),
            d("硚口区", "420104", "430030"),
            d("汉阳区", "420105", "430050"),
            d("武昌区", "420106", "430060"),
            d("洪山区", "420111", "430070"),
        ],
        roads: &[
            "解放大道",
            "中山大道",
            "武珞路",
            "中北路",
            "珞喻路",
            "建设大道",
            "汉阳大道",
            "雄楚大道",
        ],
    },
    City {
        province: "湖南省",
        city: "长沙市",
        plate_province: "湘",
        plate_letters: "A",
        weight: 5,
        districts: &[
            d("芙蓉区", "430102", "410011"),
            d("天心区", "430103", "410004"),
            d("岳麓区", "430104", "410013"),
            d("开福区", "430105", "410008"),
            d("雨花区", "430111", "410011"),
        ],
        roads: &[
            "五一大道",
            "芙蓉中路",
            "韶山北路",
            "劳动西路",
            "麓山南路",
            "湘江中路",
            "解放西路",
            "人民中路",
        ],
    },
    City {
        province: "山东省",
        city: "济南市",
        plate_province: "鲁",
        plate_letters: "A",
        weight: 4,
        districts: &[
            d("历下区", "370102", "250014"),
            d("市中区", "370103", "250001"),
            d("槐荫区", "370104", "250022"),
            d("天桥区", "370105", "250031"),
            d("历城区", "370112", "250100"),
        ],
        roads: &[
            "泉城路",
            "经十路",
            "历山路",
            "解放路",
            "经七路",
            "工业北路",
            "花园路",
        ],
    },
    City {
        province: "山东省",
        city: "青岛市",
        plate_province: "鲁",
        plate_letters: "BU",
        weight: 4,
        districts: &[
            d("市南区", "370202", "266001"),
            d("市北区", "370203", "266011"),
            d("黄岛区", "370211", "266500"),
            d("崂山区", "370212", "266100"),
            d("李沧区", "370213", "266041"),
        ],
        roads: &[
            "香港中路",
            "山东路",
            "延安三路",
            "南京路",
            "辽阳西路",
            "长江中路",
            "株洲路",
        ],
    },
    City {
        province: "河南省",
        city: "郑州市",
        plate_province: "豫",
        plate_letters: "A",
        weight: 5,
        districts: &[
            d("中原区", "410102", "450007"),
            d("二七区", "410103", "450052"),
            d("管城回族区", "410104", "450000"),
            d("金水区", "410105", "450008"),
        ],
        roads: &[
            "金水路",
            "花园路",
            "中原路",
            "建设路",
            "农业路",
            "经三路",
            "大学路",
            "紫荆山路",
        ],
    },
    City {
        province: "陕西省",
        city: "西安市",
        plate_province: "陕",
        plate_letters: "AU",
        weight: 5,
        districts: &[
            d("新城区", "610102", "710004"),
            d("碑林区", "610103", "710001"),
            d("莲湖区", "610104", "710003"),
            d("未央区", "610112", "710014"),
            d("雁塔区", "610113", "710061"),
        ],
        roads: &[
            "长安北路",
            "南二环西段",
            "科技路",
            "友谊西路",
            "东大街",
            "未央路",
            "雁塔路",
            "高新路",
        ],
    },
    City {
        province: "安徽省",
        city: "合肥市",
        plate_province: "皖",
        plate_letters: "A",
        weight: 4,
        districts: &[
            d("瑶海区", "340102", "230011"),
            d("庐阳区", "340103", "230001"),
            d("蜀山区", "340104", "230031"),
            d("包河区", "340111", "230041"),
        ],
        roads: &[
            "长江中路",
            "金寨路",
            "芜湖路",
            "马鞍山路",
            "望江西路",
            "潜山路",
            "淮河路",
        ],
    },
    City {
        province: "福建省",
        city: "福州市",
        plate_province: "闽",
        plate_letters: "A",
        weight: 3,
        districts: &[
            d("鼓楼区", "350102", "350001"),
            d("台江区", "350103", "350004"),
            d("仓山区", "350104", "350007"),
            d("晋安区", "350111", "350011"),
        ],
        roads: &[
            "五四路",
            "八一七北路",
            "杨桥中路",
            "工业路",
            "福新中路",
            "华林路",
            "六一北路",
        ],
    },
    City {
        province: "福建省",
        city: "厦门市",
        plate_province: "闽",
        plate_letters: "D",
        weight: 3,
        districts: &[
            d("思明区", "350203", "361001"),
            d("湖里区", "350206", "361006"),
            d("集美区", "350211", "361021"),
        ],
        roads: &[
            "湖滨南路",
            "嘉禾路",
            "厦禾路",
            "莲前西路",
            "仙岳路",
            "集美大道",
            "环岛路",
        ],
    },
    City {
        province: "辽宁省",
        city: "沈阳市",
        plate_province: "辽",
        plate_letters: "A",
        weight: 3,
        districts: &[
            d("和平区", "210102", "110001"),
            d("沈河区", "210103", "110011"),
            d("皇姑区", "210105", "110031"),
            d("铁西区", "210106", "110021"),
        ],
        roads: &[
            "青年大街",
            "中山路",
            "北陵大街",
            "沈辽路",
            "市府大路",
            "太原街",
            "黄河南大街",
        ],
    },
    City {
        province: "河北省",
        city: "石家庄市",
        plate_province: "冀",
        plate_letters: "A",
        weight: 3,
        districts: &[
            d("长安区", "130102", "050011"),
            d("桥西区", "130104", "050051"),
            d("新华区", "130105", "050051"),
            d("裕华区", "130108", "050031"),
        ],
        roads: &[
            "中山路",
            "建设大街",
            "裕华路",
            "槐安路",
            "体育大街",
            "胜利北街",
        ],
    },
    City {
        province: "云南省",
        city: "昆明市",
        plate_province: "云",
        plate_letters: "A",
        weight: 3,
        districts: &[
            d("五华区", "530102", "650032"),
            d("盘龙区", "530103", "650051"),
            d("官渡区", "530111", "650200"),
            d("西山区", "530112", "650100"),
        ],
        roads: &[
            "北京路",
            "人民中路",
            "东风西路",
            "滇池路",
            "青年路",
            "环城南路",
            "金碧路",
        ],
    },
];

/// First halves of compound names: developers and auspicious words.
const COMPOUND_HEADS: &[&str] = &[
    "阳光",
    "金色",
    "翠湖",
    "锦绣",
    "丽景",
    "御景",
    "滨江",
    "世纪",
    "东方",
    "幸福",
    "和谐",
    "碧水",
    "紫荆",
    "香榭",
    "枫林",
    "绿城",
    "万科",
    "保利",
    "华润",
    "龙湖",
    "中海",
    "招商",
    "金地",
    "融创",
    "碧桂园",
    "恒大",
    "星河",
    "天鹅湖",
    "书香",
    "春江",
    "明珠",
    "凤凰",
    "海棠",
    "君悦",
    "怡景",
    "锦江",
];

/// Second halves of compound names.
const COMPOUND_TAILS: &[&str] = &[
    "花园",
    "苑",
    "家园",
    "小区",
    "华庭",
    "名苑",
    "新城",
    "公馆",
    "雅居",
    "府",
    "湾",
    "城",
    "国际",
    "一号院",
    "天地",
    "山庄",
    "嘉园",
    "名邸",
];

/// A residential compound (小区) name such as 阳光花园 or 万科城.
pub(crate) fn compound(rng: &mut impl Rng) -> String {
    let head = COMPOUND_HEADS[rng.random_range(0..COMPOUND_HEADS.len())];
    let tail = COMPOUND_TAILS[rng.random_range(0..COMPOUND_TAILS.len())];
    let mut out = String::with_capacity(head.len() + tail.len());
    out.push_str(head);
    out.push_str(tail);
    out
}

pub(crate) struct GeoTables {
    cities: Weighted,
}

impl GeoTables {
    pub(crate) fn new() -> Self {
        Self {
            cities: Weighted::new(CITIES.iter().map(|c| c.weight)),
        }
    }

    pub(crate) fn city(&self, rng: &mut GenRng) -> usize {
        self.cities.sample(rng)
    }
}

/// A street address within `district`: `天河区天河路385号阳光花园3栋2单元1502室`, or for
/// people without a compound an older work-unit style `海淀区学院路30号院5号楼402`.
pub(crate) fn street_address(
    rng: &mut impl Rng,
    city: &City,
    district: &District,
    compound: Option<&str>,
) -> String {
    let road = city.roads[rng.random_range(0..city.roads.len())];
    let number = 1 + rng.random_range(0..600u64);
    let building = 1 + rng.random_range(0..30u64);
    let floor = 1 + rng.random_range(0..32u64);
    let room = 1 + rng.random_range(0..6u64);
    let mut out = String::with_capacity(96);
    out.push_str(district.name);
    out.push_str(road);
    push_number(&mut out, number);
    out.push('号');
    match compound {
        Some(name) => {
            out.push_str(name);
            push_number(&mut out, building);
            out.push('栋');
            push_number(&mut out, 1 + rng.random_range(0..4u64));
            out.push_str("单元");
            push_number(&mut out, floor);
            push_zero_padded(&mut out, room, 2);
            out.push('室');
        }
        None => {
            out.push('院');
            push_number(&mut out, building);
            out.push_str("号楼");
            push_number(&mut out, floor.min(8));
            push_zero_padded(&mut out, room, 2);
        }
    }
    out
}

fn push_number(out: &mut String, n: u64) {
    use std::fmt::Write;
    write!(out, "{n}").expect("writing to a String");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// First two postcode digits used by each province.
    fn postcode_prefixes(province: &str) -> &'static [&'static str] {
        match province {
            "北京市" => &["10"],
            "上海市" => &["20"],
            "天津市" => &["30"],
            "重庆市" => &["40"],
            "广东省" => &["51", "52"],
            "浙江省" => &["31"],
            "江苏省" => &["21"],
            "四川省" => &["61"],
            "江西省" => &["33"],
            "湖北省" => &["43"],
            "湖南省" => &["41"],
            "山东省" => &["25", "26"],
            "河南省" => &["45"],
            "陕西省" => &["71"],
            "安徽省" => &["23"],
            "福建省" => &["35", "36"],
            "辽宁省" => &["11"],
            "河北省" => &["05"],
            "云南省" => &["65"],
            other => panic!("no postcode prefix for {other}"),
        }
    }

    /// GB/T 2260 province code.
    fn division_prefix(province: &str) -> &'static str {
        match province {
            "北京市" => "11",
            "天津市" => "12",
            "河北省" => "13",
            "辽宁省" => "21",
            "上海市" => "31",
            "江苏省" => "32",
            "浙江省" => "33",
            "安徽省" => "34",
            "福建省" => "35",
            "江西省" => "36",
            "山东省" => "37",
            "河南省" => "41",
            "湖北省" => "42",
            "湖南省" => "43",
            "广东省" => "44",
            "重庆市" => "50",
            "四川省" => "51",
            "云南省" => "53",
            "陕西省" => "61",
            other => panic!("no division code for {other}"),
        }
    }

    #[test]
    fn tables_are_consistent() {
        for city in CITIES {
            assert!(!city.districts.is_empty() && !city.roads.is_empty());
            assert_eq!(city.plate_province.chars().count(), 1);
            assert!(!city.plate_letters.is_empty());
            assert!(
                city.plate_letters
                    .chars()
                    .all(|c| c.is_ascii_uppercase() && c != 'I' && c != 'O')
            );
            for district in city.districts {
                assert_eq!(district.code.len(), 6);
                assert!(district.code.starts_with(division_prefix(city.province)));
                assert_eq!(district.postcode.len(), 6);
                assert!(
                    postcode_prefixes(city.province)
                        .iter()
                        .any(|p| district.postcode.starts_with(p)),
                    "{} {}",
                    city.city,
                    district.name
                );
            }
        }
    }
}
