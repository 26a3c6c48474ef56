"""The profile's vocabularies: each setting's codes (the glossary's identifiers) and the Chinese
labels users read (:data:`VALUE_LABELS`)."""

from __future__ import annotations

from typing import Literal

from gridgov.models.territory import DEDICATED_TYPE_LABELS, GRID_KIND_LABELS

# ---------------------------------------------------------------------------------------------
# Vocabularies. Codes are the glossary's identifiers; labels are what users read.

RoleName = Literal[
    "instructor", "chief_leader", "leader", "fulltime", "parttime", "professional", "liaison", "volunteer"
]
ROLE_LABELS: dict[str, str] = {
    "instructor": "网格指导员",
    "chief_leader": "总网格长",
    "leader": "网格长",
    "fulltime": "专职网格员",
    "parttime": "兼职网格员",
    "professional": "专业网格员",
    "liaison": "微网格联络员",
    "volunteer": "微网格志愿者",
}

AgencyLevel = Literal["city", "county", "town", "village"]
AGENCY_LEVEL_LABELS = {"city": "市", "county": "县（市、区）", "town": "镇（街道）", "village": "村（社区）"}

MicroGridPolicy = Literal["none", "allowed", "encouraged", "required"]
Exclusion = Literal[
    "criminal_record",
    "pending_criminal_case",
    "detained",
    "dismissed_from_public_office",
    "dishonest_joint_punishment",
    "dishonest_judgement_debtor",
    "other_by_law",
]
Refusable = Literal["off_list", "administrative_powers", "unlawful"]
ReportLevel = Literal["town", "village"]
DisputeSettler = Literal["party_committee_or_government", "same_level_agency", "agency_above"]
ListKind = Literal["basic", "admission", "negative", "directory", "matters"]
Approver = Literal["party_committee_or_government", "county_government", "same_level_agency", "county_agency"]
Applicant = Literal["department", "town_agency"]
PowerType = Literal["licensing", "penalty", "compulsion"]
BoardField = Literal["grid_name", "area", "staff_names", "staff_contacts", "supervision_phone"]
BoardPublisher = Literal["town", "village_committee", "host_unit"]
OnlinePolicy = Literal["none", "allowed", "encouraged", "required"]
RegulationStatus = Literal["draft", "adopted"]
AdjustmentTrigger = Literal["area_resized", "relocation", "population_change", "other"]
ADJUSTMENT_TRIGGER_LABELS = {
    "area_resized": "村（社区）规模调整",
    "relocation": "大规模拆迁安置",
    "population_change": "人口数量较大变化",
    "other": "其他情形",
}
RegulationKind = Literal["regulation", "measures"]
LeaderBasis = Literal[
    "committee_member", "fulltime_worker", "village_cadre", "party_building_organiser", "community_worker",
    "party_org_member", "party_backbone",
]
LEADER_BASIS_LABELS: dict[str, str] = {
    "committee_member": "城乡社区党组织、村（居）民委员会除主要负责人以外的组成人员",
    "fulltime_worker": "专职网格员",
    "village_cadre": "村（社区）干部",
    "party_building_organiser": "城市社区党建组织员",
    "community_worker": "专职化城市社区工作者",
    "party_org_member": "村（社区）党组织成员",
    "party_backbone": "党员骨干",
}
UnstaffedGridWay = Literal["agency_verifies", "neighbour_worker"]

VALUE_LABELS: dict[str, str] = {
    **ROLE_LABELS,
    **{str(k): v for k, v in GRID_KIND_LABELS.items()},
    **{str(k): v for k, v in DEDICATED_TYPE_LABELS.items()},
    **AGENCY_LEVEL_LABELS,
    **LEADER_BASIS_LABELS,
    **ADJUSTMENT_TRIGGER_LABELS,
    "none": "不设",
    "allowed": "可以",
    "encouraged": "鼓励",
    "required": "应当",
    "criminal_record": "受过刑事处罚",
    "pending_criminal_case": "涉嫌犯罪尚未结案",
    "detained": "曾被行政拘留、司法拘留",
    "dismissed_from_public_office": "曾被国家机关、事业单位开除公职",
    "dishonest_joint_punishment": "被依法列为失信联合惩戒对象",
    "dishonest_judgement_debtor": "被依法纳入失信被执行人名单",
    "other_by_law": "法律、法规规定的其他情形",
    "off_list": "超出事项清单的事项",
    "administrative_powers": "行政许可、行政处罚、行政强制等事项",
    "unlawful": "违反法律、法规、规章的事项",
    "party_committee_or_government": "同级党委或者政府",
    "same_level_agency": "同级网格化机构",
    "agency_above": "上一级网格化机构",
    "county_government": "县（区）人民政府",
    "county_agency": "县（市、区）网格化机构",
    "department": "业务主管（联动）部门",
    "town_agency": "镇（街道）网格化机构",
    "basic": "基本清单",
    "admission": "准入清单",
    "negative": "负面清单",
    "directory": "准入分类目录",
    "matters": "事项清单",
    "licensing": "行政许可",
    "penalty": "行政处罚",
    "compulsion": "行政强制",
    "grid_name": "网格名称",
    "area": "区域范围",
    "staff_names": "网格员姓名",
    "staff_contacts": "联系方式",
    "supervision_phone": "监督电话",
    "village_committee": "村（居）民委员会",
    "host_unit": "专属网格所在单位",
    "draft": "草案/征求意见稿",
    "adopted": "已公布施行",
    "regulation": "地方性法规",
    "measures": "政府规章（办法）",
    "agency_verifies": "网格化机构自行核实",
    "neighbour_worker": "指派相邻网格的网格员核实",
}
