"""Name pools for the fictional demo city.

Surnames are weighted roughly by how common they are, so a search for 王 or
张 finds many people, as it would in a real compound. Given names are drawn
character by character from pools, which yields ordinary-looking names that
belong to nobody in particular."""

import random

# (surname, weight): the common ones first, a long tail after.
SURNAMES: list[tuple[str, int]] = [
    ("王", 72), ("李", 70), ("张", 66), ("刘", 53), ("陈", 45), ("杨", 31), ("黄", 25),
    ("赵", 20), ("吴", 20), ("周", 19), ("徐", 15), ("孙", 15), ("马", 13), ("朱", 13),
    ("胡", 12), ("郭", 12), ("何", 11), ("高", 10), ("林", 10), ("罗", 10), ("郑", 9),
    ("梁", 9), ("谢", 8), ("宋", 8), ("唐", 8), ("许", 7), ("韩", 7), ("冯", 7), ("邓", 7),
    ("曹", 6), ("彭", 6), ("曾", 6), ("肖", 6), ("田", 5), ("董", 5), ("袁", 5), ("潘", 5),
    ("于", 5), ("蒋", 5), ("蔡", 5), ("余", 5), ("杜", 4), ("叶", 4), ("程", 4), ("苏", 4),
    ("魏", 4), ("吕", 4), ("丁", 4), ("任", 4), ("沈", 3), ("姚", 3), ("卢", 3), ("姜", 3),
    ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3),
    ("廖", 3), ("贾", 3), ("夏", 3), ("韦", 2), ("付", 2), ("方", 2), ("白", 2), ("邹", 2),
    ("孟", 2), ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2),
    ("段", 2), ("雷", 2), ("侯", 2), ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2),
    ("顾", 2), ("毛", 2), ("郝", 2), ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("严", 2),
    ("覃", 1), ("武", 1), ("戴", 1), ("莫", 1), ("孔", 1), ("向", 1), ("汤", 1), ("欧阳", 1),
    ("司马", 1), ("上官", 1),
]  # fmt: skip

MALE_CHARS = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发"
    "武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心"
    "邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦"
    "翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
)
FEMALE_CHARS = (
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹"
    "霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡"
    "婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣"
    "飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
)

# Invented names for the fictional city; none names a real compound or firm.
COMPANY_NAMES = [
    "清溪禾嘉物业服务有限公司",
    "清溪云栖物业管理有限公司",
    "清溪泊岸物业服务有限公司",
    # three smaller firms with a few compounds each (supervision ranks six)
    "清溪安澜物业服务有限公司",
    "清溪恒信物业管理有限公司",
    "清溪锦程物业服务有限公司",
]


def _weighted_surnames() -> tuple[list[str], list[int]]:
    names, weights = zip(*SURNAMES, strict=True)
    return list(names), list(weights)


_SURNAME_POOL, _SURNAME_WEIGHTS = _weighted_surnames()


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_POOL, weights=_SURNAME_WEIGHTS)[0]


def given_name(rng: random.Random, gender: str) -> str:
    """One or two characters; two-character given names are the common case."""
    pool = MALE_CHARS if gender == "M" else FEMALE_CHARS
    if rng.random() < 0.3:
        return rng.choice(pool)
    first = rng.choice(pool)
    second = rng.choice(pool)
    while second == first:
        second = rng.choice(pool)
    return first + second


def person_name(rng: random.Random, gender: str, family: str | None = None) -> str:
    return (family or surname(rng)) + given_name(rng, gender)
