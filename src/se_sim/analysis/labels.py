"""What every metric and parameter is called where people read it, with its unit, in English
and Thai.

One table for the report pages, their figures, the tables the CLI prints and the teaching page
(which imports it), so a metric is called the same everywhere. CSV files keep the column names:
they are read by programs. A name missing here is shown as its words (``members_end`` →
"members end") with the unit its suffix implies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Language = Literal["en", "th"]

UNITS: dict[str, dict[Language, str]] = {
    "THB": {"en": "THB", "th": "บาท"},
    "households": {"en": "households", "th": "ครัวเรือน"},
    "people": {"en": "people", "th": "คน"},
    "enterprises": {"en": "enterprises", "th": "วิสาหกิจ"},
    "share": {"en": "share", "th": "สัดส่วน"},
    "index": {"en": "0 to 1", "th": "0 ถึง 1"},
    "month": {"en": "month", "th": "เดือนที่"},
    "months": {"en": "months", "th": "เดือน"},
    "ties": {"en": "ties", "th": "ความสัมพันธ์"},
    "units": {"en": "units", "th": "หน่วย"},
    "hours": {"en": "hours", "th": "ชั่วโมง"},
}


@dataclass(frozen=True)
class Name:
    """A metric or parameter as people say it (without unit), and its unit (a key of UNITS)."""

    en: str
    th: str
    unit: str = ""

    def text(self, language: Language = "en") -> str:
        return self.en if language == "en" else self.th


METRICS: dict[str, Name] = {
    "founding_leaders": Name("founding leaders", "แกนนำผู้ก่อตั้ง", "people"),
    "garden_households_end_of_shock": Name("households fed from gardens at the end of the shock",
                                           "ครัวเรือนที่ได้ผักจากแปลงผักเมื่อสิ้นสุดวิกฤต",
                                           "households"),
    "garden_reach_end": Name("households fed from gardens at the end",
                             "ครัวเรือนที่ได้ผักจากแปลงผักเมื่อสิ้นสุด", "households"),
    "fund_inflow_total_thb": Name("inflow to the vulnerable fund", "เงินเข้ากองทุนผู้เปราะบาง",
                                  "THB"),
    "fund_inflow_enterprise_thb": Name("fund inflow from enterprises",
                                       "เงินเข้ากองทุนจากวิสาหกิจ", "THB"),
    "fund_inflow_donation_thb": Name("fund inflow from donations", "เงินบริจาคเข้ากองทุน", "THB"),
    "fund_inflow_per_household_thb": Name("fund inflow per household",
                                          "เงินเข้ากองทุนต่อครัวเรือน", "THB"),
    "fund_grants_total_thb": Name("grants paid by the fund", "เงินช่วยเหลือที่กองทุนจ่าย", "THB"),
    "fund_balance_end_thb": Name("fund balance at the end", "ยอดเงินกองทุนเมื่อสิ้นสุด", "THB"),
    "fund_unique_beneficiaries": Name("people helped by the fund", "คนที่กองทุนช่วยเหลือ",
                                      "people"),
    "people_helped_per_1000": Name("people helped per 1,000 households",
                                   "คนที่กองทุนช่วยต่อ 1,000 ครัวเรือน", "people"),
    "cross_group_tie_share_start": Name("share of ties between the groups at the start",
                                        "สัดส่วนความสัมพันธ์ข้ามกลุ่มตอนเริ่มต้น", "share"),
    "cross_group_tie_share_end": Name("share of ties between the groups at the end",
                                      "สัดส่วนความสัมพันธ์ข้ามกลุ่มเมื่อสิ้นสุด", "share"),
    "outgroup_trust_start": Name("trust toward the other group at the start",
                                 "ความไว้วางใจต่ออีกกลุ่มตอนเริ่มต้น", "index"),
    "outgroup_trust_end": Name("trust toward the other group at the end",
                               "ความไว้วางใจต่ออีกกลุ่มเมื่อสิ้นสุด", "index"),
    "mean_degree_start": Name("ties per household at the start",
                              "ความสัมพันธ์ต่อครัวเรือนตอนเริ่มต้น", "ties"),
    "mean_degree_end": Name("ties per household at the end",
                            "ความสัมพันธ์ต่อครัวเรือนเมื่อสิ้นสุด", "ties"),
    "active_enterprises_end": Name("enterprises open at the end",
                                   "วิสาหกิจที่ยังดำเนินการเมื่อสิ้นสุด", "enterprises"),
    "enterprises_closed": Name("enterprises closed", "วิสาหกิจที่ปิดกิจการ", "enterprises"),
    "closed_month": Name("month the first enterprise closed", "เดือนที่วิสาหกิจแรกปิดกิจการ",
                         "month"),
    "first_closure_month": Name("month the first enterprise closed",
                                "เดือนที่วิสาหกิจแรกปิดกิจการ", "month"),
    "members_end": Name("enterprise members at the end", "สมาชิกวิสาหกิจเมื่อสิ้นสุด",
                        "households"),
    "members_newcomer_end": Name("newcomer members at the end",
                                 "สมาชิกที่เป็นผู้อยู่อาศัยใหม่เมื่อสิ้นสุด", "households"),
    "members_per_1000_end": Name("members per 1,000 households at the end",
                                 "สมาชิกต่อ 1,000 ครัวเรือนเมื่อสิ้นสุด", "households"),
    "buyers_end": Name("buyers in the last month", "ผู้ซื้อในเดือนสุดท้าย", "households"),
    "units_sold_total": Name("units sold", "จำนวนสินค้าที่ขายได้", "units"),
    "revenue_total_thb": Name("enterprise revenue", "ยอดขายของวิสาหกิจ", "THB"),
    "profit_total_thb": Name("enterprise profit", "กำไรของวิสาหกิจ", "THB"),
    "member_payout_total_thb": Name("payouts to members", "เงินปันผลให้สมาชิก", "THB"),
    "member_wages_total_thb": Name("members' pay for their work", "ค่าแรงที่สมาชิกได้รับจากการผลิต",
                                   "THB"),
    "food_secure_min": Name("fewest food-secure households in a month",
                            "ครัวเรือนที่มีอาหารพอเพียงน้อยที่สุดในหนึ่งเดือน", "households"),
    "food_insecure_worst": Name("most food-insecure households in a month",
                                "ครัวเรือนที่ขาดแคลนอาหารมากที่สุดในหนึ่งเดือน", "households"),
    "food_insecure_hit_worst": Name("most food-insecure households hit by the shock in a month",
                                    "ครัวเรือนที่ได้รับผลกระทบและขาดแคลนอาหารมากที่สุด",
                                    "households"),
    "food_insecure_household_months": Name("household-months short of food",
                                           "จำนวนครัวเรือน-เดือนที่ขาดแคลนอาหาร", "months"),
    "fund_in_need_ever": Name("households ever in need", "ครัวเรือนที่เคยเดือดร้อน",
                              "households"),
    "fund_need_household_months": Name("household-months in need",
                                       "จำนวนครัวเรือน-เดือนที่เดือดร้อน", "months"),
    "fund_need_met_share": Name("share of need the fund met",
                                "สัดส่วนความเดือดร้อนที่กองทุนช่วยได้", "share"),
    "household_loan_asks": Name("household loan requests", "คำขอกู้ของครัวเรือน", ""),
    "savings_withdrawn_total_thb": Name("savings withdrawn in need", "เงินออมที่ถอนเมื่อเดือดร้อน",
                                        "THB"),
    "cross_group_tie_share_change": Name("change in the cross-group share of ties",
                                         "การเปลี่ยนแปลงสัดส่วนความสัมพันธ์ข้ามกลุ่ม", "share"),
    "outgroup_trust_change": Name("change in trust toward the other group",
                                  "การเปลี่ยนแปลงความไว้วางใจต่ออีกกลุ่ม", "index"),
    "gini_earned_income_end": Name("Gini of earned income at the end",
                                   "สัมประสิทธิ์จีนีของรายได้จากการทำงานเมื่อสิ้นสุด", "index"),
    "gini_disposable_end": Name("Gini of disposable income at the end",
                                "สัมประสิทธิ์จีนีของรายได้ที่ใช้จ่ายได้เมื่อสิ้นสุด", "index"),
    "poverty_rate_earned_end": Name("share with earned income below the poverty line at the end",
                                    "สัดส่วนที่รายได้จากการทำงานต่ำกว่าเส้นความยากจนเมื่อสิ้นสุด",
                                    "share"),
    "poverty_gap_end": Name("poverty gap at the end", "ช่องว่างความยากจนเมื่อสิ้นสุด", "index"),
    "poverty_rate_worst": Name("poverty rate in the worst month",
                               "อัตราความยากจนในเดือนที่แย่ที่สุด", "share"),
    "poor_households_end": Name("households below the poverty line at the end",
                                "ครัวเรือนที่ต่ำกว่าเส้นความยากจนเมื่อสิ้นสุด", "households"),
    "disposable_income_mean_thb": Name("disposable income a month", "รายได้ที่ใช้จ่ายได้ต่อเดือน",
                                       "THB"),
    "disposable_income_original_thb": Name("disposable income of original residents a month",
                                           "รายได้ที่ใช้จ่ายได้ของผู้อยู่อาศัยดั้งเดิมต่อเดือน",
                                           "THB"),
    "disposable_income_newcomer_thb": Name("disposable income of newcomers a month",
                                           "รายได้ที่ใช้จ่ายได้ของผู้มาใหม่ต่อเดือน", "THB"),
    "disposable_income_vulnerable_thb": Name("disposable income of vulnerable households a month",
                                             "รายได้ที่ใช้จ่ายได้ของครัวเรือนเปราะบางต่อเดือน",
                                             "THB"),
    "disposable_income_members_thb": Name("disposable income of members a month",
                                          "รายได้ที่ใช้จ่ายได้ของสมาชิกต่อเดือน", "THB"),
    "disposable_income_members_end_thb": Name("disposable income of members at the end",
                                              "รายได้ที่ใช้จ่ายได้ของสมาชิกเมื่อสิ้นสุด", "THB"),
    "disposable_income_poorest_fifth_thb": Name("disposable income of the poorest fifth a month",
                                                "รายได้ที่ใช้จ่ายได้ของกลุ่มยากจนที่สุดหนึ่งในห้า"
                                                "ต่อเดือน", "THB"),
    "gini_wealth_end": Name("savings Gini at the end", "สัมประสิทธิ์จีนีของเงินออมเมื่อสิ้นสุด",
                            "index"),
    "poverty_rate_end": Name("poverty rate at the end", "อัตราความยากจนเมื่อสิ้นสุด", "share"),
    "poverty_rate_members_end": Name("poverty rate among members at the end",
                                     "อัตราความยากจนของครัวเรือนสมาชิกเมื่อสิ้นสุด", "share"),
    "wealth_median_original_end": Name("median savings of original residents at the end",
                                       "เงินออมมัธยฐานของผู้อยู่อาศัยดั้งเดิมเมื่อสิ้นสุด",
                                       "THB"),
    "wealth_median_newcomer_end": Name("median savings of newcomers at the end",
                                       "เงินออมมัธยฐานของผู้อยู่อาศัยใหม่เมื่อสิ้นสุด", "THB"),
    "network_ties_start": Name("ties in the enterprise network at the start",
                               "ความสัมพันธ์ในเครือข่ายวิสาหกิจตอนเริ่มต้น", "ties"),
    "network_ties_end": Name("ties in the enterprise network at the end",
                             "ความสัมพันธ์ในเครือข่ายวิสาหกิจเมื่อสิ้นสุด", "ties"),
    "partners_start": Name("network partners at the start", "สมาชิกเครือข่ายตอนเริ่มต้น",
                           "enterprises"),
    "partners_end": Name("network partners at the end", "สมาชิกเครือข่ายเมื่อสิ้นสุด",
                         "enterprises"),
    "network_months_alive": Name("months the network had working ties",
                                 "จำนวนเดือนที่เครือข่ายยังทำงาน", "months"),
    "network_last_month": Name("last month the network had working ties",
                               "เดือนสุดท้ายที่เครือข่ายยังทำงาน", "month"),
    "enterprises_founded": Name("enterprises founded", "วิสาหกิจที่ตั้งขึ้นใหม่", "enterprises"),
    "enterprise_survival_share_end": Name("share of enterprises still open at the end",
                                          "สัดส่วนวิสาหกิจที่ยังดำเนินการเมื่อสิ้นสุด", "share"),
    "welfare_fund_balance_end_thb": Name("welfare fund balance at the end",
                                         "ยอดเงินกองทุนสวัสดิการเมื่อสิ้นสุด", "THB"),
    "welfare_members_end": Name("welfare fund members at the end",
                                "สมาชิกกองทุนสวัสดิการเมื่อสิ้นสุด", "people"),
    "welfare_fund_solvent_months": Name("months the welfare fund paid every claim",
                                        "จำนวนเดือนที่กองทุนสวัสดิการจ่ายได้ครบ", "months"),
    "welfare_fund_insolvent_month": Name("month the welfare fund first could not pay",
                                         "เดือนแรกที่กองทุนสวัสดิการจ่ายไม่ได้", "month"),
    "welfare_fund_insolvent_months": Name("months the welfare fund could not pay",
                                          "จำนวนเดือนที่กองทุนสวัสดิการจ่ายไม่ได้", "months"),
    "welfare_benefits_total_thb": Name("welfare benefits paid", "สวัสดิการที่จ่ายแล้ว", "THB"),
    "welfare_contributions_total_thb": Name("welfare contributions paid in",
                                            "เงินสมทบสวัสดิการจากสมาชิก", "THB"),
    "welfare_matching_total_thb": Name("matching paid to the welfare fund",
                                       "เงินสมทบจากรัฐเข้ากองทุนสวัสดิการ", "THB"),
    "welfare_admin_total_thb": Name("welfare fund running costs", "ค่าบริหารกองทุนสวัสดิการ",
                                    "THB"),
    "welfare_claims_unpaid_total": Name("welfare claims left unpaid",
                                        "คำขอสวัสดิการที่ยังไม่ได้จ่าย", ""),
    "savings_group_balance_end_thb": Name("savings group balance at the end",
                                          "ยอดเงินกลุ่มออมทรัพย์เมื่อสิ้นสุด", "THB"),
    "loans_outstanding_end_thb": Name("loans outstanding at the end", "หนี้เงินกู้คงค้างเมื่อสิ้นสุด",
                                      "THB"),
    "loan_recovery_rate": Name("loan recovery rate", "อัตราการชำระคืนเงินกู้", "share"),
    "portfolio_at_risk": Name("portfolio at risk", "สัดส่วนเงินกู้ที่มีความเสี่ยง", "share"),
    "loans_written_off_total_thb": Name("loans written off", "หนี้สูญ", "THB"),
    "loans_lent_total_thb": Name("loans lent", "เงินที่ให้กู้", "THB"),
    "loan_share_out_total_thb": Name("savings group share-out", "เงินปันคืนของกลุ่มออมทรัพย์",
                                     "THB"),
    "food_loans_total_thb": Name("food loans", "เงินกู้เพื่ออาหาร", "THB"),
    "household_debt_end_thb": Name("household debt at the end", "หนี้ครัวเรือนเมื่อสิ้นสุด",
                                   "THB"),
    "intervention_cost_total_thb": Name("cost of the interventions", "ต้นทุนของมาตรการ", "THB"),
    "intervention_cost_training_thb": Name("cost of training", "ต้นทุนการอบรม", "THB"),
    "intervention_cost_market_channel_thb": Name("cost of the market channel",
                                                 "ต้นทุนช่องทางตลาด", "THB"),
    "intervention_cost_matching_grant_thb": Name("cost of the matching grant", "ต้นทุนเงินสมทบ",
                                                 "THB"),
    "intervention_cost_bridging_thb": Name("cost of bridging activities",
                                           "ต้นทุนกิจกรรมเชื่อมสัมพันธ์", "THB"),
    "intervention_cost_remove_hub_thb": Name("cost of removing the network centre",
                                             "ต้นทุนการถอดศูนย์กลางเครือข่าย", "THB"),
    # Monthly series (keep_steps), as the panels of the time-series figure title them; those
    # not listed here have the name of the summary metric of the same column.
    "active_enterprises": Name("enterprises open", "วิสาหกิจที่เปิดดำเนินการ", "enterprises"),
    "members": Name("enterprise members", "สมาชิกวิสาหกิจ", "households"),
    "members_original": Name("members who are original residents", "สมาชิกที่เป็นคนดั้งเดิม",
                             "households"),
    "members_newcomer": Name("members who are newcomers", "สมาชิกที่เป็นผู้มาใหม่",
                             "households"),
    "hours_worked": Name("hours members worked", "ชั่วโมงทำงานของสมาชิก", "hours"),
    "buyers": Name("buyers", "ผู้ซื้อ", "households"),
    "units_sold": Name("units sold", "สินค้าที่ขายได้", "units"),
    "revenue_thb": Name("enterprise revenue in the month", "รายได้วิสาหกิจในเดือน", "THB"),
    "profit_thb": Name("enterprise profit in the month", "กำไรวิสาหกิจในเดือน", "THB"),
    "member_payout_thb": Name("payouts to members in the month", "เงินปันผลให้สมาชิกในเดือน",
                              "THB"),
    "member_wages_thb": Name("members' pay for their work in the month",
                             "ค่าแรงของสมาชิกในเดือน", "THB"),
    "enterprise_cash_thb": Name("enterprise cash", "เงินสดของวิสาหกิจ", "THB"),
    "enterprise_reserve_thb": Name("enterprise reserve", "เงินสำรองของวิสาหกิจ", "THB"),
    "enterprise_capital_thb": Name("enterprise capital", "ทุนของวิสาหกิจ", "THB"),
    "capability_mean": Name("enterprise capability", "ขีดความสามารถของวิสาหกิจ", "index"),
    "reputation_mean": Name("enterprise reputation", "ชื่อเสียงของวิสาหกิจ", "index"),
    "fund_balance_thb": Name("fund balance", "ยอดเงินกองทุน", "THB"),
    "fund_inflow_thb": Name("inflow to the fund in the month", "เงินเข้ากองทุนในเดือน", "THB"),
    "fund_outflow_thb": Name("grants paid by the fund in the month",
                             "เงินช่วยเหลือที่กองทุนจ่ายในเดือน", "THB"),
    "fund_inflow_matching_thb": Name("fund inflow from matching", "เงินสมทบเข้ากองทุน", "THB"),
    "fund_inflow_assets_thb": Name("fund inflow from assets", "เงินเข้ากองทุนจากทรัพย์สิน",
                                   "THB"),
    "fund_in_need": Name("people in need of the fund", "คนที่ต้องการความช่วยเหลือจากกองทุน",
                         "people"),
    "garden_households": Name("households growing vegetables", "ครัวเรือนที่ปลูกผัก",
                              "households"),
    "garden_reach_households": Name("households fed from gardens", "ครัวเรือนที่ได้ผักจากแปลงผัก",
                                    "households"),
    "food_secure_households": Name("food-secure households", "ครัวเรือนที่มีอาหารเพียงพอ",
                                   "households"),
    "food_insecure_households": Name("food-insecure households", "ครัวเรือนที่ขาดแคลนอาหาร",
                                     "households"),
    "food_insecure_hit_households": Name("food-insecure households hit by the shock",
                                         "ครัวเรือนที่ได้รับผลกระทบและขาดแคลนอาหาร",
                                         "households"),
    "poverty_rate": Name("poverty rate", "อัตราความยากจน", "share"),
    "poverty_gap": Name("poverty gap", "ช่องว่างความยากจน", "index"),
    "gini_disposable": Name("Gini of disposable income", "สัมประสิทธิ์จีนีของรายได้สุทธิ", "index"),
    "earned_income_mean_original": Name("mean earned income of original residents",
                                        "รายได้เฉลี่ยของคนดั้งเดิม", "THB"),
    "earned_income_mean_newcomer": Name("mean earned income of newcomers",
                                        "รายได้เฉลี่ยของผู้มาใหม่", "THB"),
    "earned_income_median_original": Name("median earned income of original residents",
                                          "รายได้มัธยฐานของคนดั้งเดิม", "THB"),
    "earned_income_median_newcomer": Name("median earned income of newcomers",
                                          "รายได้มัธยฐานของผู้มาใหม่", "THB"),
    "wealth_mean_original": Name("mean savings of original residents",
                                 "เงินออมเฉลี่ยของคนดั้งเดิม", "THB"),
    "wealth_mean_newcomer": Name("mean savings of newcomers", "เงินออมเฉลี่ยของผู้มาใหม่", "THB"),
    "wealth_median_original": Name("median savings of original residents",
                                   "เงินออมมัธยฐานของคนดั้งเดิม", "THB"),
    "wealth_median_newcomer": Name("median savings of newcomers",
                                   "เงินออมมัธยฐานของผู้มาใหม่", "THB"),
    "gini_earned_income": Name("Gini of earned income", "สัมประสิทธิ์จีนีของรายได้", "index"),
    "gini_wealth": Name("Gini of savings", "สัมประสิทธิ์จีนีของเงินออม", "index"),
    "poverty_rate_earned": Name("poverty rate of earned income", "อัตราความยากจนจากรายได้",
                                "share"),
    "ties": Name("ties between households", "ความสัมพันธ์ระหว่างครัวเรือน", "ties"),
    "mean_degree": Name("ties per household", "ความสัมพันธ์ต่อครัวเรือน", "ties"),
    "cross_group_tie_share": Name("share of ties between the groups",
                                  "สัดส่วนความสัมพันธ์ข้ามกลุ่ม", "share"),
    "ei_index": Name("E-I index of ties (−1 own group, +1 other group)",
                     "ดัชนี E-I ของความสัมพันธ์ (−1 กลุ่มตน, +1 กลุ่มอื่น)"),
    "outgroup_trust_original": Name("original residents' trust in newcomers",
                                    "ความไว้วางใจของคนดั้งเดิมต่อผู้มาใหม่", "index"),
    "outgroup_trust_newcomer": Name("newcomers' trust in original residents",
                                    "ความไว้วางใจของผู้มาใหม่ต่อคนดั้งเดิม", "index"),
    "outgroup_trust_mean": Name("trust toward the other group", "ความไว้วางใจต่ออีกกลุ่ม",
                                "index"),
    "shock_active": Name("a shock under way (1 yes, 0 no)", "อยู่ในช่วงวิกฤต (1 ใช่, 0 ไม่ใช่)"),
    "money_held_thb": Name("money held in the community", "เงินที่อยู่ในชุมชน", "THB"),
    "external_net_inflow_thb": Name("net inflow from outside", "เงินไหลเข้าสุทธิจากภายนอก",
                                    "THB"),
    "welfare_fund_balance_thb": Name("welfare fund balance", "ยอดเงินกองทุนสวัสดิการ", "THB"),
    "welfare_members": Name("welfare fund members", "สมาชิกกองทุนสวัสดิการ", "people"),
    "welfare_contributions_thb": Name("welfare contributions in the month",
                                      "เงินสมทบสวัสดิการในเดือน", "THB"),
    "welfare_matching_thb": Name("matching paid to the welfare fund in the month",
                                 "เงินสมทบจากรัฐเข้ากองทุนสวัสดิการในเดือน", "THB"),
    "welfare_admin_thb": Name("welfare fund running costs in the month",
                              "ค่าบริหารกองทุนสวัสดิการในเดือน", "THB"),
    "welfare_benefits_thb": Name("welfare benefits paid in the month", "สวัสดิการที่จ่ายในเดือน",
                                 "THB"),
    "welfare_claims_unpaid": Name("welfare claims left unpaid in the month",
                                  "คำขอสวัสดิการที่ยังไม่ได้จ่ายในเดือน"),
    "savings_group_balance_thb": Name("savings group balance", "ยอดเงินกลุ่มออมทรัพย์", "THB"),
    "savings_group_deposits_thb": Name("savings group deposits", "เงินฝากกลุ่มออมทรัพย์", "THB"),
    "loans_outstanding_thb": Name("loans outstanding", "หนี้เงินกู้คงค้าง", "THB"),
    "loans_in_arrears_thb": Name("loans in arrears", "เงินกู้ค้างชำระ", "THB"),
    "loans_lent_thb": Name("loans lent in the month", "เงินที่ให้กู้ในเดือน", "THB"),
    "loan_dues_thb": Name("loan repayments due in the month", "ยอดชำระเงินกู้ที่ถึงกำหนดในเดือน",
                          "THB"),
    "loan_repayments_thb": Name("loan repayments in the month", "เงินชำระคืนเงินกู้ในเดือน",
                                "THB"),
    "loan_defaults": Name("loans defaulted in the month", "เงินกู้ที่ผิดนัดชำระในเดือน"),
    "loans_written_off_thb": Name("loans written off in the month", "หนี้สูญในเดือน", "THB"),
    "loan_share_out_thb": Name("savings group share-out in the month",
                               "เงินปันคืนของกลุ่มออมทรัพย์ในเดือน", "THB"),
    "savings_withdrawn_thb": Name("savings withdrawn in the month", "เงินออมที่ถอนในเดือน",
                                  "THB"),
    "household_debt_thb": Name("household debt", "หนี้ครัวเรือน", "THB"),
    "network_ties": Name("ties in the enterprise network", "ความสัมพันธ์ในเครือข่ายวิสาหกิจ",
                         "ties"),
    "network_partners": Name("network partners", "สมาชิกเครือข่าย", "enterprises"),
    "network_units": Name("units in the enterprise network", "หน่วยในเครือข่ายวิสาหกิจ"),
    "intervention_cost_thb": Name("cost of the interventions in the month",
                                  "ต้นทุนของมาตรการในเดือน", "THB"),
}

# "Month when" outcomes: empty in runs where it did not happen; what "it" is, in words. The
# first three are always read as events; the last only when some run lacks it (a network
# that never had working ties), since otherwise its month is the outcome itself.
EVENT_NAMES: dict[str, Name] = {
    "closed_month": Name("an enterprise closed", "มีวิสาหกิจปิดกิจการ"),
    "first_closure_month": Name("an enterprise closed", "มีวิสาหกิจปิดกิจการ"),
    "welfare_fund_insolvent_month": Name("the welfare fund could not pay",
                                         "กองทุนสวัสดิการจ่ายไม่ได้"),
    "network_last_month": Name("the network had working ties", "เครือข่ายมีความสัมพันธ์ที่ทำงาน"),
}
EVENTS = ("closed_month", "first_closure_month", "welfare_fund_insolvent_month")

PARAMETERS: dict[str, Name] = {
    "allocation.fund_share": Name("profit share to the fund", "ส่วนแบ่งกำไรเข้ากองทุน", "share"),
    "allocation.member_share": Name("profit share to members", "ส่วนแบ่งกำไรให้สมาชิก", "share"),
    "network.mean_degree": Name("ties per household", "ความสัมพันธ์ต่อครัวเรือน", "ties"),
    "network.homophily": Name("homophily (own-group ties)", "คบหาเฉพาะกลุ่มตน", "index"),
    "network.joint_work_ties": Name("new ties from working together",
                                    "ความสัมพันธ์ใหม่จากการทำงานร่วมกัน", ""),
    "households.newcomer_share": Name("newcomer share", "สัดส่วนผู้มาใหม่", "share"),
    "partners.shape": Name("network shape", "รูปแบบเครือข่าย"),
    "partners.formation": Name("how the network formed", "วิธีการก่อตัวของเครือข่าย"),
    "market.word_of_mouth": Name("word of mouth", "การบอกต่อ", ""),
    "market.visibility": Name("market visibility", "การมองเห็นในตลาด", ""),
    "market.units_per_buyer": Name("units per buyer", "จำนวนสินค้าต่อผู้ซื้อ", "units"),
    "market.opinion_weight": Name("weight of friends' opinion", "น้ำหนักความเห็นของเพื่อน", ""),
    "market.trust_weight": Name("weight of trust in buying", "น้ำหนักความไว้วางใจในการซื้อ", ""),
    "households.joining.value_weight": Name("weight of value in joining",
                                            "น้ำหนักของประโยชน์ในการเข้าร่วม", ""),
    "households.joining.peer_weight": Name("weight of peers in joining",
                                           "น้ำหนักของเพื่อนในการเข้าร่วม", ""),
    "households.work.spare_time_value": Name("value of spare time", "มูลค่าของเวลาว่าง", ""),
    "households.trust.contact_sensitivity": Name("trust gained from contact",
                                                 "ความไว้วางใจที่เพิ่มจากการติดต่อ", ""),
    "households.gardens.promoted_adoption": Name("garden uptake when promoted",
                                                 "การเริ่มปลูกผักเมื่อได้รับการส่งเสริม", ""),
    "funds.vulnerable.grant_thb": Name("fund grant per person", "เงินช่วยเหลือต่อคน", "THB"),
    "interventions": Name("interventions", "มาตรการ"),
}

# Parts of parameter paths inside lists (interventions.1.price_thb, enterprises.0.x).
PARTS: dict[str, Name] = {
    "skill_gain": Name("training: skill gain", "การอบรม: ทักษะที่เพิ่ม", ""),
    "buyers_per_1000_households": Name("market channel: buyers per 1,000 households",
                                       "ช่องทางตลาด: ผู้ซื้อต่อ 1,000 ครัวเรือน", "households"),
    "amount_thb": Name("matching grant", "เงินสมทบ", "THB"),
    "participants": Name("bridging: share taking part", "กิจกรรมเชื่อมสัมพันธ์: สัดส่วนผู้เข้าร่วม",
                         "share"),
    "capital_scale_thb_per_1000_households": Name("enterprise capital per 1,000 households",
                                                  "ทุนวิสาหกิจต่อ 1,000 ครัวเรือน", "THB"),
    "depreciation": Name("monthly depreciation", "ค่าเสื่อมรายเดือน", "share"),
}

SUFFIX_UNITS = (("_thb", "THB"), ("_share", "share"), ("_rate", "share"), ("_month", "month"),
                ("_months", "months"))


def metric_name(metric: str, language: Language = "en") -> str:
    """The metric as a reader says it, without unit: ``members_end`` → "enterprise members at
    the end"; unknown names become their words."""
    known = METRICS.get(metric)
    return known.text(language) if known else metric.removesuffix("_thb").replace("_", " ")


def parameter_name(path: str, language: Language = "en") -> str:
    """A swept field as a reader says it: ``allocation.fund_share`` → "profit share to the
    fund"; ``interventions.2.amount_thb`` → "matching grant"."""
    if path in PARAMETERS:
        return PARAMETERS[path].text(language)
    last = path.rsplit(".", 1)[-1]
    if last in PARTS:
        return PARTS[last].text(language)
    return last.removesuffix("_thb").replace("_", " ")


def unit(name: str, language: Language = "en") -> str:
    """The unit of a metric or parameter in words ("" when it has none)."""
    known = METRICS.get(name) or PARAMETERS.get(name) or PARTS.get(name.rsplit(".", 1)[-1])
    key = known.unit if known else next((u for s, u in SUFFIX_UNITS if name.endswith(s)), "")
    return UNITS[key][language] if key else ""


def metric_label(metric: str, language: Language = "en") -> str:
    """Name and unit, for axes and table rows: "inflow to the vulnerable fund (THB)"."""
    return _with_unit(metric_name(metric, language), unit(metric, language))


def parameter_label(path: str, language: Language = "en") -> str:
    return _with_unit(parameter_name(path, language), unit(path, language))


def event_name(metric: str, language: Language = "en") -> str:
    """What a "month when" metric records, as a clause: "an enterprise closed"."""
    known = EVENT_NAMES.get(metric)
    return known.text(language) if known else metric_name(metric, language)


def _with_unit(name: str, unit_text: str) -> str:
    return f"{name} ({unit_text})" if unit_text else name
