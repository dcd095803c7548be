"""The words the demo bank speaks: merchants, occupations, hobbies, contact and complaint notes."""

from __future__ import annotations


def words(text: str) -> tuple[str, ...]:
    """The whitespace-separated words of ``text``."""
    return tuple(text.split())


MERCHANTS = words(
    """美团外卖 饿了么 京东商城 天猫超市 盒马鲜生 星巴克咖啡 瑞幸咖啡 中国石化加油站 中国石油加油站
    全家便利店 罗森便利店 永辉超市 沃尔玛超市 大润发 麦当劳 肯德基 海底捞火锅 华润万家 苏宁易购
    携程旅行网 中国东方航空 中国国际航空 南方航空 滴滴出行 优衣库 屈臣氏 万达影城 链家地产
    拼多多 山姆会员商店 宜家家居 小米之家 华为终端 迪卡侬 西贝莜面村 喜茶 百联集团 王府井百货
    万象城 太古汇 海岸城 顺丰速运"""
)
UTILITIES = (
    "国网上海市电力公司",
    "上海燃气有限公司",
    "北京市自来水集团",
    "北京燃气集团",
    "深圳市水务集团",
    "深圳供电局",
    "中国移动话费充值",
    "中国联通话费充值",
    "中国电信宽带",
    "物业管理费代收",
)
OCCUPATIONS = (
    ("教师", "employee"),
    ("医生", "employee"),
    ("护士", "employee"),
    ("工程师", "employee"),
    ("软件工程师", "employee"),
    ("公务员", "employee"),
    ("律师", "employee"),
    ("会计师", "employee"),
    ("销售经理", "employee"),
    ("金融从业者", "employee"),
    ("企业高管", "employee"),
    ("设计师", "employee"),
    ("公司职员", "employee"),
    ("企业主", "owner"),
    ("个体工商户", "owner"),
    ("自由职业", "freelance"),
    ("退休人员", "retired"),
    ("大学生", "student"),
)
EDUCATION = ("HIGH_SCHOOL", "ASSOCIATE", "BACHELOR", "MASTER", "DOCTORATE")
MARITAL_STATUS = ("SINGLE", "MARRIED", "DIVORCED", "WIDOWED")
INCOME_BANDS = ("UNDER_100K", "100K_TO_300K", "300K_TO_1M", "1M_TO_5M", "OVER_5M")
HOBBIES = words(
    """高尔夫 旅游 摄影 读书 瑜伽 跑步 游泳 书法 茶道 钓鱼 登山 烹饪 收藏 红酒 音乐会 网球 马拉松
    园艺 自驾游 羽毛球 象棋 广场舞 太极拳 滑雪 潜水 桥牌"""
)
WEALTH_TYPES = ("MUTUAL_FUND", "WEALTH", "INSURANCE", "BOND")
LIFE_EXPERIENCES = (
    "{year}年在{district}购置首套住房",
    "{year}年孩子出生",
    "{year}年创办公司",
    "{year}年跳槽至民营企业担任管理岗位",
    "{year}年退休",
    "{year}年子女出国留学",
    "{year}年父母住院，家庭开支较大",
    "{year}年换购新能源汽车",
    "{year}年置换改善型住房",
    "{year}年获得公司股权激励",
)
POTENTIAL_NEEDS = (
    "子女教育金规划",
    "养老规划",
    "房贷置换",
    "资产配置优化",
    "家族信托",
    "企业经营贷款",
    "海外资产配置",
    "保险保障升级",
    "购车分期",
    "留学换汇",
    "大额存单",
    "私人银行服务",
)
EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "139.com", "gmail.com")
SYLLABLES = words(
    "zhang wang li liu chen yang huang zhao wu zhou xu sun ma zhu hu guo lin luo gao zheng "
    "wei ming hua jun jie tao hui ping yan fang ling xiao yu hao xin yue lei"
)

CONTACT_NOTES = {
    "maturity": ("PHONE", "ROUTINE", "电话告知定期存款将于近期到期，客户表示考虑续存或转购理财"),
    "new_product": ("PHONE", "ROUTINE", "介绍新发理财产品，客户有兴趣，约定下周再沟通"),
    "nav_swing": ("SMS", "ROUTINE", "短信提示所持基金近期净值波动较大，提醒关注风险"),
    "wechat": ("WECHAT", "ROUTINE", "微信推送市场周报，客户回复了解"),
    "kyc": ("PHONE", "ROUTINE", "提醒客户更新风险测评及身份证件有效期"),
    "birthday": ("VISIT", "KEY", "生日当天上门拜访，送上生日蛋糕和祝福"),
    "anniversary": ("PHONE", "KEY", "结婚纪念日致电祝贺，客户很开心"),
    "holiday": ("EVENT", "KEY", "邀请客户参加中秋茶话会，客户携家人出席"),
    "review": ("VISIT", "KEY", "季末上门做资产检视，建议适当增配稳健类产品"),
    "salon": ("EVENT", "KEY", "邀请参加财富沙龙活动，客户对养老规划话题感兴趣"),
    "email": ("EMAIL", "ROUTINE", "邮件发送年度对账单及资产配置建议"),
}
COMPLAINTS = {
    "SERVICE": "柜台办理业务时工作人员态度不佳",
    "FEES": "对跨行转账手续费收取有异议",
    "PRODUCT": "理财产品实际收益低于预期",
    "WAIT_TIME": "网点排队等候时间超过一小时",
    "SYSTEM": "手机银行登录频繁失败，无法转账",
    "MIS_SELLING": "认为购买保险时未被充分告知退保损失",
}
