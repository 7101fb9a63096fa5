"""Real 派出所 names of each Shanghai district (named, as most are, for a 街道 or 镇 there), so a
demo station drawn in a district bears a name that belongs to it. Data, not logic."""

# District code → (Chinese stem, English stem), in the order stations take them. Each list holds
# at least the most stations a district gets (demo.areas._station_count: 9).
STATION_NAMES_BY_DISTRICT = {
    "310101": [  # 黄浦区
        ("外滩", "Bund"), ("南京东路", "East Nanjing Road"), ("豫园", "Yuyuan"),
        ("打浦桥", "Dapuqiao"), ("五里桥", "Wuliqiao"), ("瑞金二路", "Ruijin Road No.2"),
        ("淮海中路", "Middle Huaihai Road"), ("老西门", "Laoximen"), ("小东门", "Xiaodongmen"),
        ("半淞园路", "Bansongyuan Road"),
    ],
    "310104": [  # 徐汇区
        ("田林", "Tianlin"), ("华泾", "Huajing"), ("龙华", "Longhua"), ("天平路", "Tianping Road"),
        ("枫林", "Fenglin"), ("康健", "Kangjian"), ("虹梅", "Hongmei"), ("漕河泾", "Caohejing"),
        ("斜土路", "Xietu Road"), ("凌云", "Lingyun"), ("长桥", "Changqiao"),
    ],
    "310105": [  # 长宁区
        ("仙霞", "Xianxia"), ("北新泾", "Beixinjing"), ("天山", "Tianshan"), ("虹桥", "Hongqiao"),
        ("新华", "Xinhua"), ("江苏路", "Jiangsu Road"), ("华阳", "Huayang"),
        ("周家桥", "Zhoujiaqiao"), ("程家桥", "Chengjiaqiao"), ("新泾", "Xinjing"),
    ],
    "310106": [  # 静安区
        ("石门二路", "Shimen Road No.2"), ("曹家渡", "Caojiadu"), ("彭浦", "Pengpu"),
        ("南京西路", "West Nanjing Road"), ("江宁路", "Jiangning Road"),
        ("静安寺", "Jing'an Temple"), ("天目西路", "West Tianmu Road"),
        ("芷江西路", "West Zhijiang Road"), ("大宁", "Daning"),
        ("临汾", "Linfen"), ("共和新路", "Gonghe Xin Road"),
    ],
    "310107": [  # 普陀区
        ("长风", "Changfeng"), ("真如", "Zhenru"), ("桃浦", "Taopu"), ("曹杨", "Caoyang"),
        ("甘泉", "Ganquan"), ("宜川", "Yichuan"), ("长寿路", "Changshou Road"), ("万里", "Wanli"),
        ("石泉路", "Shiquan Road"), ("长征", "Changzheng"),
    ],
    "310109": [  # 虹口区
        ("四川北路", "North Sichuan Road"), ("曲阳", "Quyang"), ("江湾", "Jiangwan"),
        ("欧阳路", "Ouyang Road"), ("提篮桥", "Tilanqiao"), ("嘉兴路", "Jiaxing Road"),
        ("广中路", "Guangzhong Road"), ("凉城", "Liangcheng"), ("北外滩", "North Bund"),
        ("临平路", "Linping Road"),
    ],
    "310110": [  # 杨浦区
        ("五角场", "Wujiaochang"), ("控江", "Kongjiang"), ("殷行", "Yinhang"),
        ("新江湾城", "Xinjiangwancheng"), ("大桥", "Daqiao"), ("平凉路", "Pingliang Road"),
        ("定海路", "Dinghai Road"),
        ("延吉", "Yanji"), ("长白", "Changbai"), ("四平路", "Siping Road"),
    ],
    "310112": [  # 闵行区
        ("莘庄", "Xinzhuang"), ("七宝", "Qibao"), ("古美", "Gumei"), ("浦江", "Pujiang"),
        ("颛桥", "Zhuanqiao"), ("吴泾", "Wujing"), ("马桥", "Maqiao"), ("华漕", "Huacao"),
        ("梅陇", "Meilong"), ("虹桥镇", "Hongqiao Town"), ("江川路", "Jiangchuan Road"),
    ],
    "310113": [  # 宝山区
        ("吴淞", "Wusong"), ("大场", "Dachang"), ("罗店", "Luodian"), ("庙行", "Miaohang"),
        ("顾村", "Gucun"), ("杨行", "Yanghang"), ("月浦", "Yuepu"), ("淞南", "Songnan"),
        ("高境", "Gaojing"), ("罗泾", "Luojing"), ("友谊路", "Youyi Road"),
    ],
    "310114": [  # 嘉定区
        ("安亭", "Anting"), ("南翔", "Nanxiang"), ("江桥", "Jiangqiao"), ("菊园", "Juyuan"),
        ("马陆", "Malu"), ("外冈", "Waigang"), ("华亭", "Huating"), ("徐行", "Xuxing"),
        ("嘉定镇", "Jiading Town"), ("真新", "Zhenxin"), ("新成路", "Xincheng Road"),
    ],
    "310115": [  # 浦东新区
        ("陆家嘴", "Lujiazui"), ("花木", "Huamu"), ("合庆", "Heqing"), ("曹路", "Caolu"),
        ("川沙", "Chuansha"), ("张江", "Zhangjiang"), ("惠南", "Huinan"), ("金桥", "Jinqiao"),
        ("高桥", "Gaoqiao"), ("周浦", "Zhoupu"), ("航头", "Hangtou"), ("泥城", "Nicheng"),
        ("书院", "Shuyuan"), ("洋泾", "Yangjing"), ("塘桥", "Tangqiao"), ("三林", "Sanlin"),
        ("北蔡", "Beicai"), ("康桥", "Kangqiao"), ("唐镇", "Tangzhen"), ("祝桥", "Zhuqiao"),
        ("新场", "Xinchang"), ("大团", "Datuan"), ("老港", "Laogang"), ("万祥", "Wanxiang"),
        ("宣桥", "Xuanqiao"),
    ],
    "310116": [  # 金山区
        ("金山卫", "Jinshanwei"), ("朱泾", "Zhujing"), ("亭林", "Tinglin"), ("枫泾", "Fengjing"),
        ("张堰", "Zhangyan"), ("山阳", "Shanyang"), ("吕巷", "Lüxiang"), ("廊下", "Langxia"),
        ("漕泾", "Caojing"), ("石化", "Shihua"),
    ],
    "310117": [  # 松江区
        ("泗泾", "Sijing"), ("九亭", "Jiuting"), ("佘山", "Sheshan"), ("车墩", "Chedun"),
        ("新桥", "Xinqiao"), ("洞泾", "Dongjing"), ("叶榭", "Yexie"), ("小昆山", "Xiaokunshan"),
        ("石湖荡", "Shihudang"), ("新浜", "Xinbang"), ("泖港", "Maogang"), ("方松", "Fangsong"),
    ],
    "310118": [  # 青浦区
        ("朱家角", "Zhujiajiao"), ("徐泾", "Xujing"), ("白鹤", "Baihe"), ("华新", "Huaxin"),
        ("赵巷", "Zhaoxiang"), ("金泽", "Jinze"), ("练塘", "Liantang"), ("重固", "Chonggu"),
        ("夏阳", "Xiayang"), ("盈浦", "Yingpu"), ("香花桥", "Xianghuaqiao"),
    ],
    "310120": [  # 奉贤区
        ("南桥", "Nanqiao"), ("海湾", "Haiwan"), ("奉城", "Fengcheng"), ("庄行", "Zhuanghang"),
        ("柘林", "Zhelin"), ("金汇", "Jinhui"), ("青村", "Qingcun"), ("四团", "Situan"),
        ("西渡", "Xidu"), ("奉浦", "Fengpu"), ("金海", "Jinhai"),
    ],
    "310151": [  # 崇明区
        ("城桥", "Chengqiao"), ("堡镇", "Baozhen"), ("陈家镇", "Chenjiazhen"), ("新河", "Xinhe"),
        ("长兴", "Changxing"), ("横沙", "Hengsha"), ("竖新", "Shuxin"), ("庙镇", "Miaozhen"),
        ("港西", "Gangxi"), ("向化", "Xianghua"), ("三星", "Sanxing"),
    ],
}  # fmt: skip

# Where some of these places are (WGS84, to about a kilometre): the station named for one is
# drawn around its point, so a real address there falls in the station bearing its name.
PLACE_POINTS = {
    "陆家嘴": (121.50, 31.24), "曹路": (121.67, 31.28), "川沙": (121.70, 31.19),
    "张江": (121.59, 31.20), "惠南": (121.76, 31.05), "田林": (121.43, 31.17),
    "华泾": (121.44, 31.12), "古美": (121.39, 31.15), "浦江": (121.50, 31.08),
    "南桥": (121.46, 30.92), "仙霞": (121.38, 31.21),
}  # fmt: skip
