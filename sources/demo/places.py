"""Cities, their districts (with the resident-ID area code of each) and street addresses.

Every address starts with the city prefix and the district, e.g. ``上海市浦东新区…`` or
``广东省深圳市南山区…``, so masking "down to the district" can cut after the first ``区``.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from sources.demo.vocabulary import words


@dataclass(frozen=True)
class District:
    name: str
    area_code: str


@dataclass(frozen=True)
class City:
    name: str
    prefix: str
    districts: tuple[District, ...]
    streets: tuple[str, ...]

    def district(self, name: str) -> District:
        return next(d for d in self.districts if d.name == name)


def _districts(pairs: str) -> tuple[District, ...]:
    return tuple(District(name, code) for code, name in (item.split(":") for item in pairs.split()))


CITIES = {
    "上海": City(
        "上海",
        "上海市",
        _districts(
            "310115:浦东新区 310106:静安区 310104:徐汇区 310105:长宁区 310110:杨浦区 "
            "310112:闵行区 310101:黄浦区 310107:普陀区"
        ),
        words(
            "世纪大道 张杨路 南京西路 淮海中路 漕溪北路 延安西路 四平路 虹桥路 浦东南路 衡山路 "
            "陆家嘴环路 长寿路 莲花路 碧云路 江宁路 天山路"
        ),
    ),
    "北京": City(
        "北京",
        "北京市",
        _districts(
            "110105:朝阳区 110108:海淀区 110102:西城区 110101:东城区 110106:丰台区 110114:昌平区"
        ),
        words(
            "建国路 朝阳北路 中关村大街 学院路 金融大街 西单北大街 东四十条 丰台北路 望京街 "
            "知春路 阜成门外大街 回龙观西大街 三里屯路 双井路"
        ),
    ),
    "深圳": City(
        "深圳",
        "广东省深圳市",
        _districts("440304:福田区 440305:南山区 440303:罗湖区 440306:宝安区 440307:龙岗区"),
        words(
            "深南大道 福华路 科技园路 南海大道 宝安大道 龙岗大道 东门中路 益田路 后海大道 "
            "新湖路 红岭中路 民治大道"
        ),
    ),
}


def street_address(rng: Random, city: City, district: District) -> str:
    """A home address in the district: street, number and, mostly, a flat."""
    street = rng.choice(city.streets)
    number = rng.randint(1, 1999)
    shape = rng.random()
    if shape < 0.45:
        rest = f"{number}弄{rng.randint(1, 40)}号{rng.randint(1, 32)}{rng.randint(1, 4):02d}室"
    elif shape < 0.85:
        rest = f"{number}号{rng.randint(1, 12)}栋{rng.randint(1, 32)}{rng.randint(1, 6):02d}室"
    else:
        rest = f"{number}号"
    return f"{city.prefix}{district.name}{street}{rest}"
