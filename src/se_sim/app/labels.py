"""Every word the teaching page shows, in English and Thai.

One table, so that a missing translation is a failing test rather than a gap on the screen.
Texts may hold ``{name}`` fields, filled by :func:`text`. The names of parameters and metrics
come from the analysis layer's label table (se_sim.analysis.labels), which the report pages and
printed tables use too, so a lever is called the same on the teaching page and in a report.
"""

from __future__ import annotations

from se_sim.analysis.labels import PARAMETERS, Language, Name
from se_sim.analysis.labels import metric_name as shared_metric_name

LANGUAGES: dict[Language, str] = {"en": "English", "th": "ไทย"}


def _shared(name: Name) -> dict[Language, str]:
    """A label of the shared table as a control's caption (first letter capitalised)."""
    return {"en": name.en[:1].upper() + name.en[1:], "th": name.th}


LABELS: dict[str, dict[Language, str]] = {
    # page
    "title": {"en": "se_sim: a social enterprise in a Thai community",
              "th": "se_sim: วิสาหกิจเพื่อสังคมในชุมชนไทย"},
    "language": {"en": "Language", "th": "ภาษา"},
    "scenario": {"en": "Scenario", "th": "สถานการณ์จำลอง"},
    "scenario_bad": {"en": "Could not load {file}: {problem}",
                     "th": "เปิดไฟล์ {file} ไม่ได้: {problem}"},
    "how_to": {
        "en": "Set the sliders and switches, then press RESET to start a new run with them. "
              "STEP moves one month, ▶ plays month after month. ENSEMBLE runs the same settings "
              "many times to show what is likely and what is luck.",
        "th": "ปรับแถบเลื่อนและสวิตช์ แล้วกด RESET เพื่อเริ่มการจำลองใหม่ตามค่าที่ตั้งไว้ "
              "กด STEP เพื่อเดินหน้าหนึ่งเดือน กด ▶ เพื่อให้เดินต่อเนื่องทีละเดือน "
              "ปุ่มรันซ้ำ (ensemble) จะจำลองค่าเดิมหลายรอบ เพื่อดูว่าผลใดเป็นไปได้มากและผลใดเป็นเรื่องบังเอิญ",
    },
    "settings_problem": {"en": "Could not use these settings ({problem}); showing the "
                               "scenario as it is in its file.",
                         "th": "ใช้ค่าที่ตั้งไว้ไม่ได้ ({problem}) จึงแสดงสถานการณ์ตามไฟล์เดิม"},
    "bad_seed": {"en": "seed {value!r} is not a whole number of 0 or more; using {used}",
                 "th": "seed {value!r} ไม่ใช่จำนวนเต็มตั้งแต่ 0 ขึ้นไป จึงใช้ {used}"},
    # controls
    "profit_share": _shared(PARAMETERS["allocation.fund_share"]),
    "mean_degree": _shared(PARAMETERS["network.mean_degree"]),
    "homophily": _shared(PARAMETERS["network.homophily"]),
    "newcomer_share": _shared(PARAMETERS["households.newcomer_share"]),
    "shock.covid19": {"en": "COVID-19 shock", "th": "วิกฤตโควิด-19"},
    "shock.disaster": {"en": "Disaster", "th": "ภัยพิบัติ"},
    "shock.price": {"en": "Price shock", "th": "ราคาวัตถุดิบพุ่งสูง"},
    "shock_month": {"en": "Shock starts in month", "th": "วิกฤตเริ่มในเดือนที่"},
    "training": {"en": "Training (enterprise skills)", "th": "การอบรม (ทักษะของวิสาหกิจ)"},
    "market_channel": {"en": "New market channel", "th": "ช่องทางตลาดใหม่"},
    "matching_grant": {"en": "Matching grant to the fund", "th": "เงินสมทบเข้ากองทุน"},
    "bridging": {"en": "Bridging activities between groups",
                 "th": "กิจกรรมเชื่อมสัมพันธ์ระหว่างกลุ่ม"},
    "intervention_month": {"en": "Interventions in month", "th": "มาตรการเริ่มเดือนที่"},
    "this_run_settings": {"en": "Settings of this run: {settings}",
                          "th": "ค่าที่ใช้ในรอบนี้: {settings}"},
    "seed": {"en": "Seed (same seed, same run)", "th": "เลขสุ่มตั้งต้น (seed เดิม ผลเดิม)"},
    "shock_month_short": {"en": "from month {month}", "th": "เริ่มเดือนที่ {month}"},
    "on": {"en": "on", "th": "เปิด"},
    "off": {"en": "off", "th": "ปิด"},
    # groups and counters
    "original": {"en": "original residents", "th": "ผู้อยู่อาศัยดั้งเดิม"},
    "newcomer": {"en": "newcomers", "th": "ผู้อยู่อาศัยใหม่"},
    "original_one": {"en": "original resident", "th": "ผู้อยู่อาศัยดั้งเดิม"},
    "newcomer_one": {"en": "newcomer", "th": "ผู้อยู่อาศัยใหม่"},
    "overview": {"en": "The community now", "th": "ชุมชนตอนนี้"},
    "month": {"en": "Month", "th": "เดือนที่"},
    "of_months": {"en": "{month} of {months}", "th": "{month} จาก {months}"},
    "households": {"en": "Households", "th": "ครัวเรือน"},
    "members": {"en": "Enterprise members", "th": "สมาชิกวิสาหกิจ"},
    "fund_balance": {"en": "Vulnerable fund", "th": "เงินกองทุนผู้เปราะบาง"},
    "people_helped": {"en": "People helped by the fund", "th": "คนที่กองทุนช่วยเหลือ"},
    "food_insecure": {"en": "Food-insecure households", "th": "ครัวเรือนที่ขาดแคลนอาหาร"},
    "garden_reach": {"en": "Households fed from gardens", "th": "ครัวเรือนที่ได้ผักจากแปลงผักบ้าน"},
    "cross_share": {"en": "Ties between the groups", "th": "ความสัมพันธ์ข้ามกลุ่ม"},
    "trust": {"en": "Trust toward the other group", "th": "ความไว้วางใจต่ออีกกลุ่ม"},
    "buyers": {"en": "Buyers this month", "th": "ผู้ซื้อเดือนนี้"},
    "shock_now": {"en": "{shock} this month", "th": "เดือนนี้มี{shock}"},
    "baht": {"en": "{value} THB", "th": "{value} บาท"},
    # enterprises
    "enterprises": {"en": "Enterprises", "th": "วิสาหกิจ"},
    "cash": {"en": "cash", "th": "เงินสด"},
    "reserve": {"en": "reserve", "th": "เงินสำรอง"},
    "sales": {"en": "sales this month", "th": "ยอดขายเดือนนี้"},
    "profit": {"en": "profit this month", "th": "กำไรเดือนนี้"},
    "member_count": {"en": "members: {total} ({original} original, {newcomer} newcomers)",
                     "th": "สมาชิก {total} คน (ดั้งเดิม {original} ใหม่ {newcomer})"},
    "open": {"en": "open", "th": "ดำเนินการอยู่"},
    "closed": {"en": "closed in month {month}", "th": "ปิดกิจการในเดือนที่ {month}"},
    # network picture
    "network": {"en": "Who knows whom", "th": "ใครรู้จักใคร"},
    "network_help": {
        "en": "Left: original residents; right: newcomers. Orange lines are ties between the "
              "groups.",
        "th": "ซ้าย: ผู้อยู่อาศัยดั้งเดิม ขวา: ผู้อยู่อาศัยใหม่ เส้นสีส้มคือความสัมพันธ์ข้ามกลุ่ม",
    },
    "sampled": {"en": "Showing {shown} of {total} households (a sample fixed by the seed)",
                "th": "แสดง {shown} จาก {total} ครัวเรือน (สุ่มตัวอย่างตาม seed)"},
    "legend.member": {"en": "enterprise member (ring)", "th": "สมาชิกวิสาหกิจ (วงขอบดำ)"},
    "legend.vulnerable": {"en": "vulnerable (triangle)", "th": "ผู้เปราะบาง (สามเหลี่ยม)"},
    "legend.food_insecure": {"en": "food insecure", "th": "ขาดแคลนอาหาร"},
    "legend.helped": {"en": "helped by the fund", "th": "ได้รับความช่วยเหลือจากกองทุน"},
    "legend.buying": {"en": "buying this month", "th": "ซื้อสินค้าเดือนนี้"},
    "legend.cross_tie": {"en": "tie between the groups", "th": "ความสัมพันธ์ข้ามกลุ่ม"},
    "legend.picked": {"en": "household {index}", "th": "ครัวเรือน {index}"},
    # charts
    "chart.fund": {"en": "Vulnerable fund (THB)", "th": "กองทุนผู้เปราะบาง (บาท)"},
    "chart.food": {"en": "Food security (households)", "th": "ความมั่นคงทางอาหาร (ครัวเรือน)"},
    "chart.ties": {"en": "Ties and trust between the groups (share)",
                   "th": "ความสัมพันธ์และความไว้วางใจระหว่างกลุ่ม (สัดส่วน)"},
    "chart.income": {"en": "Whom it helps: mean monthly disposable income by group (THB)",
                     "th": "ใครได้ประโยชน์: รายได้ที่ใช้จ่ายได้เฉลี่ยต่อเดือนแยกตามกลุ่ม (บาท)"},
    "chart.poverty": {"en": "Households below the poverty line (share)",
                      "th": "สัดส่วนครัวเรือนที่อยู่ใต้เส้นความยากจน"},
    "chart.members": {"en": "Enterprise members and buyers", "th": "สมาชิกและผู้ซื้อของวิสาหกิจ"},
    "chart.sales": {"en": "Enterprise sales and profit (THB a month)",
                    "th": "ยอดขายและกำไรของวิสาหกิจ (บาทต่อเดือน)"},
    "chart.any": {"en": "Any monthly output", "th": "ผลลัพธ์รายเดือนอื่น ๆ"},
    "chart.pick": {"en": "Output to show", "th": "เลือกผลลัพธ์"},
    "axis.month": {"en": "month", "th": "เดือน"},
    "shock_months": {"en": "shock months", "th": "ช่วงเกิดวิกฤต"},
    "this_run": {"en": "this run", "th": "รอบนี้"},
    "band": {"en": "median and 90% of {n} runs", "th": "ค่ากลางและช่วง 90% จาก {n} รอบ"},
    "earlier": {"en": "earlier settings ({difference})", "th": "ค่าเดิม ({difference})"},
    "same_settings": {"en": "same settings, other seeds", "th": "ค่าเดียวกัน seed อื่น"},
    "series.fund_balance_thb": {"en": "balance", "th": "ยอดคงเหลือ"},
    "series.fund_grants_total_thb": {"en": "grants paid, total", "th": "เงินช่วยเหลือที่จ่ายแล้ว (สะสม)"},
    "series.fund_inflow_total_thb": {"en": "money in, total", "th": "เงินเข้ากองทุน (สะสม)"},
    "series.food_secure_households": {"en": "food secure", "th": "มีอาหารพอเพียง"},
    "series.garden_reach_households": {"en": "fed from gardens", "th": "ได้ผักจากแปลงผักบ้าน"},
    "series.cross_group_tie_share": {"en": "ties between the groups", "th": "ความสัมพันธ์ข้ามกลุ่ม"},
    "series.outgroup_trust_mean": {"en": "trust toward the other group",
                                   "th": "ความไว้วางใจต่ออีกกลุ่ม"},
    "series.disposable_income_original_thb": {"en": "original residents",
                                              "th": "ผู้อยู่อาศัยดั้งเดิม"},
    "series.disposable_income_newcomer_thb": {"en": "newcomers", "th": "ผู้อยู่อาศัยใหม่"},
    "series.disposable_income_vulnerable_thb": {"en": "vulnerable households",
                                                "th": "ครัวเรือนเปราะบาง"},
    "series.disposable_income_members_thb": {"en": "enterprise members",
                                             "th": "สมาชิกวิสาหกิจ"},
    "series.poverty_rate": {"en": "poverty rate (disposable income)",
                            "th": "อัตราความยากจน (รายได้ที่ใช้จ่ายได้)"},
    "series.members_original": {"en": "members: original residents",
                                "th": "สมาชิก: ผู้อยู่อาศัยดั้งเดิม"},
    "series.members_newcomer": {"en": "members: newcomers", "th": "สมาชิก: ผู้อยู่อาศัยใหม่"},
    "series.buyers": {"en": "buyers", "th": "ผู้ซื้อ"},
    "series.revenue_thb": {"en": "sales", "th": "ยอดขาย"},
    "series.profit_thb": {"en": "profit", "th": "กำไร"},
    # ensemble
    "ensemble": {"en": "Ensemble: many runs of these settings",
                 "th": "รันซ้ำ: จำลองค่าที่ตั้งไว้หลายรอบ"},
    "replicates": {"en": "Runs", "th": "จำนวนรอบ"},
    "run_ensemble": {"en": "Run ensemble", "th": "เริ่มรันซ้ำ"},
    "ensemble_help": {
        "en": "Runs the settings of the last RESET with seeds {first} to {last} in the "
              "background. The charts then show the median and the band where 90% of the runs "
              "fall; the line on top is this run.",
        "th": "จำลองค่าที่ตั้งไว้ตอนกด RESET ครั้งล่าสุด ด้วย seed {first} ถึง {last} อยู่เบื้องหลัง "
              "กราฟจะแสดงค่ากลางและแถบที่ผลลัพธ์ 90% ของทุกรอบตกอยู่ เส้นทึบด้านบนคือรอบนี้",
    },
    "ensemble_running": {"en": "{done} of {n} runs done", "th": "เสร็จแล้ว {done} จาก {n} รอบ"},
    "ensemble_done": {"en": "Done: {n} runs ({seconds:.1f} s). The bands are on the charts.",
                      "th": "เสร็จแล้ว {n} รอบ ({seconds:.1f} วินาที) แถบอยู่บนกราฟแล้ว"},
    "ensemble_failed": {"en": "{failed} of {n} runs failed: {error}",
                        "th": "ล้มเหลว {failed} จาก {n} รอบ: {error}"},
    "ensemble_earlier": {"en": "Also on the charts in grey: the earlier ensemble ({difference}).",
                         "th": "แถบสีเทาบนกราฟคือผลรันซ้ำครั้งก่อน ({difference})"},
    # household story
    "story": {"en": "A household's story", "th": "เรื่องราวของครัวเรือนหนึ่ง"},
    "household_number": {"en": "Household number", "th": "ครัวเรือนหมายเลข"},
    "pick.helped": {"en": "one the fund helped", "th": "ครัวเรือนที่กองทุนช่วย"},
    "pick.insecure": {"en": "one short of food", "th": "ครัวเรือนที่ขาดอาหาร"},
    "pick.member": {"en": "a newcomer member", "th": "สมาชิกที่เป็นผู้อยู่อาศัยใหม่"},
    "pick.none": {"en": "none yet", "th": "ยังไม่มี"},
    "story.who": {"en": "Household {index}: {origin}{roles}.",
                  "th": "ครัวเรือน {index}: {origin}{roles}"},
    "story.leader": {"en": ", a founding leader", "th": " เป็นแกนนำผู้ก่อตั้ง"},
    "story.vulnerable": {"en": ", vulnerable", "th": " เป็นผู้เปราะบาง"},
    "story.now": {
        "en": "Income {income} THB a month, savings {savings} THB; {garden}; {food}; "
              "{enterprise}; grants received {grants} THB; {ties} ties ({cross} to the other "
              "group); trust toward the other group {trust:.2f}.",
        "th": "รายได้ {income} บาทต่อเดือน เงินออม {savings} บาท, {garden}, {food}, "
              "{enterprise}, ได้รับเงินช่วยเหลือรวม {grants} บาท, มีความสัมพันธ์ {ties} คน "
              "(ข้ามกลุ่ม {cross} คน), ความไว้วางใจต่ออีกกลุ่ม {trust:.2f}",
    },
    "story.grows": {"en": "grows vegetables", "th": "ปลูกผักที่บ้าน"},
    "story.receives": {"en": "gets vegetables from neighbours", "th": "ได้รับผักจากเพื่อนบ้าน"},
    "story.no_garden": {"en": "no garden", "th": "ไม่ได้ปลูกผัก"},
    "story.food_ok": {"en": "has enough food", "th": "มีอาหารพอเพียง"},
    "story.food_short": {"en": "short of food", "th": "ขาดแคลนอาหาร"},
    "story.member_of": {"en": "member of {enterprise}", "th": "เป็นสมาชิก {enterprise}"},
    "story.not_member": {"en": "not an enterprise member", "th": "ไม่ได้เป็นสมาชิกวิสาหกิจ"},
    "story.events": {"en": "What happened:", "th": "สิ่งที่เกิดขึ้น:"},
    "story.quiet": {"en": "Nothing has changed yet: press STEP.",
                    "th": "ยังไม่มีอะไรเปลี่ยนแปลง ลองกด STEP"},
    "story.not_drawn": {"en": "(not in the drawn sample, so no month-by-month story)",
                        "th": "(ไม่อยู่ในกลุ่มตัวอย่างที่วาด จึงไม่มีเรื่องราวรายเดือน)"},
    "event.month": {"en": "month {month}: {what}", "th": "เดือนที่ {month}: {what}"},
    "event.garden_started": {"en": "started a home garden", "th": "เริ่มปลูกผักที่บ้าน"},
    "event.garden_stopped": {"en": "stopped growing vegetables", "th": "เลิกปลูกผัก"},
    "event.produce_started": {"en": "began getting vegetables from neighbours",
                              "th": "เริ่มได้รับผักจากเพื่อนบ้าน"},
    "event.grant": {"en": "got a grant of {amount} THB from the fund",
                    "th": "ได้รับเงินช่วยเหลือ {amount} บาทจากกองทุน"},
    "event.joined": {"en": "joined {enterprise}", "th": "เข้าร่วม {enterprise}"},
    "event.left": {"en": "left {enterprise}", "th": "ออกจาก {enterprise}"},
    "event.income_fell": {"en": "income fell to {amount} THB", "th": "รายได้ลดลงเหลือ {amount} บาท"},
    "event.income_rose": {"en": "income rose to {amount} THB", "th": "รายได้เพิ่มขึ้นเป็น {amount} บาท"},
    "event.food_short": {"en": "could not afford enough food", "th": "ไม่มีเงินพอซื้ออาหาร"},
    "event.food_ok": {"en": "had enough food again", "th": "กลับมามีอาหารพอเพียง"},
    "event.bought": {"en": "bought from the enterprise for the first time",
                     "th": "ซื้อสินค้าของวิสาหกิจเป็นครั้งแรก"},
    # class mode
    "class.off": {"en": "Class mode is off: the teacher starts it with se-sim app --class.",
                  "th": "ยังไม่ได้เปิดโหมดชั้นเรียน ครูเริ่มได้ด้วยคำสั่ง se-sim app --class"},
    "class.teacher": {"en": "Teacher", "th": "ครู"},
    "class.groups_page": {"en": "Groups", "th": "กลุ่ม"},
    "class.board": {"en": "Class board (round {round})", "th": "กระดานของชั้นเรียน (รอบที่ {round})"},
    "class.join_here": {
        "en": "Groups: open {address} and type the code",
        "th": "แต่ละกลุ่ม: เปิด {address} แล้วพิมพ์รหัส"},
    "class.code": {"en": "Join code", "th": "รหัสเข้าร่วม"},
    "class.group_name": {"en": "Group name (no personal names)",
                         "th": "ชื่อกลุ่ม (ไม่ต้องใส่ชื่อบุคคล)"},
    "class.join": {"en": "Join", "th": "เข้าร่วม"},
    "class.joined": {"en": "You are group {name}.", "th": "คุณคือกลุ่ม {name}"},
    "class.question": {
        "en": "If the province could pay for one policy during COVID-19, which would you choose? "
              "And what share of the enterprise's profit should go to the vulnerable fund?",
        "th": "ถ้าจังหวัดมีงบสนับสนุนได้เพียงหนึ่งมาตรการในช่วงโควิด-19 กลุ่มของคุณจะเลือกมาตรการใด "
              "และควรแบ่งกำไรของวิสาหกิจเข้ากองทุนผู้เปราะบางเท่าใด"},
    "class.policy": {"en": "Policy", "th": "มาตรการ"},
    "class.none": {"en": "No policy", "th": "ไม่มีมาตรการ"},
    "class.submit": {"en": "Send our choice", "th": "ส่งคำตอบของกลุ่ม"},
    "class.saved": {"en": "Saved: {choice}. You can change it until the teacher locks.",
                    "th": "บันทึกแล้ว: {choice} เปลี่ยนได้จนกว่าครูจะล็อก"},
    "class.bad_code": {"en": "That code is not this class's code: check the teacher's screen.",
                       "th": "รหัสไม่ถูกต้อง ลองดูรหัสบนจอของครูอีกครั้ง"},
    "class.no_name": {"en": "Type a group name.", "th": "กรุณาพิมพ์ชื่อกลุ่ม"},
    "class.name_taken": {"en": "Another group already has that name: pick another.",
                         "th": "มีกลุ่มอื่นใช้ชื่อนี้แล้ว กรุณาเลือกชื่ออื่น"},
    "class.bad_token": {"en": "This page has not joined (or the board was reset): join again.",
                        "th": "หน้านี้ยังไม่ได้เข้าร่วม (หรือกระดานถูกตั้งใหม่) กรุณาเข้าร่วมอีกครั้ง"},
    "class.bad_policy": {"en": "Unknown policy.", "th": "ไม่รู้จักมาตรการนี้"},
    "class.locked": {"en": "The teacher has locked the choices.",
                     "th": "ครูล็อกคำตอบแล้ว"},
    "class.wait": {"en": "The results appear on the teacher's screen.",
                   "th": "ผลลัพธ์จะแสดงบนจอของครู"},
    "class.groups": {"en": "{n} groups joined, {chosen} have chosen",
                     "th": "เข้าร่วมแล้ว {n} กลุ่ม เลือกแล้ว {chosen} กลุ่ม"},
    "class.lock": {"en": "Lock choices and run", "th": "ล็อกคำตอบและเริ่มจำลอง"},
    "class.unlock": {"en": "Unlock", "th": "ปลดล็อก"},
    "class.reveal": {"en": "Reveal results", "th": "เปิดเผยผลลัพธ์"},
    "class.reset": {"en": "New round", "th": "เริ่มรอบใหม่"},
    "class.download_png": {"en": "Board (PNG)", "th": "กระดาน (PNG)"},
    "class.download_csv": {"en": "Runs (CSV)", "th": "ผลทุกรอบ (CSV)"},
    "class.running": {"en": "Running group {group} ({done} of {n} groups)",
                      "th": "กำลังจำลองกลุ่ม {group} ({done} จาก {n} กลุ่ม)"},
    "class.common_seeds": {
        "en": "Every group's choice ran {runs} times on the same seeds ({first}–{last}): "
              "differences come from the choices. Bars: 90% of the runs; dot: median.",
        "th": "คำตอบของทุกกลุ่มจำลอง {runs} รอบด้วย seed ชุดเดียวกัน ({first}–{last}) "
              "ความแตกต่างจึงมาจากคำตอบ แถบคือช่วง 90% ของทุกรอบ จุดคือค่ากลาง"},
    "class.best": {"en": "{outcome}: best {group} ({choice})",
                   "th": "{outcome}: ดีที่สุดคือ {group} ({choice})"},
    "class.choice": {"en": "{policy}, profit share {share:.2f}",
                     "th": "{policy} ส่วนแบ่งกำไร {share:.2f}"},
    "class.hidden": {"en": "Results are ready: press Reveal.",
                     "th": "ผลลัพธ์พร้อมแล้ว กดเปิดเผยผลลัพธ์"},
    "food_insecure_worst": {"en": "Food-insecure households (worst month)",
                            "th": "ครัวเรือนขาดแคลนอาหาร (เดือนที่แย่ที่สุด)"},
    "poorest_income": {"en": "Disposable income of the poorest fifth (THB a month)",
                       "th": "รายได้ใช้จ่ายได้ของกลุ่มจนที่สุด 20% (บาทต่อเดือน)"},
    "fund_balance_end": {"en": "Vulnerable fund at the end (THB)",
                         "th": "เงินกองทุนผู้เปราะบางตอนท้าย (บาท)"},
    "trust_end": {"en": "Trust between the groups at the end",
                  "th": "ความไว้วางใจระหว่างกลุ่มตอนท้าย"},
    "unit.share": {"en": "share 0–1", "th": "สัดส่วน 0–1"},
    "unit.ties": {"en": "ties", "th": "คน"},
    "unit.month": {"en": "month", "th": "เดือน"},
}


def text(key: str, language: Language, **values: object) -> str:
    """The label ``key`` in ``language`` with its ``{fields}`` filled."""
    template = LABELS[key][language]
    return template.format(**values) if values else template


def metric_label(metric: str, language: Language) -> str:
    """A monthly output's name for people: its legend entry here, else the shared label table's
    name (outputs in neither show their words)."""
    key = f"series.{metric}"
    return text(key, language) if key in LABELS else shared_metric_name(metric, language)


def baht(value: float, language: Language) -> str:
    """Money as the page shows it: whole baht with thousands separators."""
    return text("baht", language, value=f"{value:,.0f}")
