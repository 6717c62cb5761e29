from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "wanjia.disputes"
    label = "disputes"
    verbose_name = _("矛盾纠纷")

    def ready(self):
        from wanjia.core import evidence, rateables
        from wanjia.core import search as kernel_search

        from . import search
        from .evidence import find_mediation, recent_mediations
        from .rateable import find_dispute, recent_disputes

        # a dispute mediated in the building or compound, as a record supervision
        # nominates exemplary cases from
        evidence.register(
            "disputes.mediation",
            _("楼栋、小区调解"),
            find=find_mediation,
            recent=recent_mediations,
        )

        rateables.register(
            "dispute",
            _("纠纷调解"),
            find=find_dispute,
            recent=recent_disputes,
            page_slot="disputes.resident_case",
        )

        kernel_search.register("disputes", _("矛盾纠纷"), search.cases, order=30)
        from wanjia.core.audit import describe_actions

        describe_actions(
            {
                "disputes.case.escalated": _("上报纠纷"),
                "disputes.case.followed_up": _("回访纠纷当事人"),
                "disputes.case.opened": _("登记矛盾纠纷"),
                "disputes.case.rated": _("评价调解"),
                "disputes.case.reopened": _("重新打开纠纷"),
                "disputes.case.resolved": _("化解纠纷"),
                "disputes.policy.updated": _("修改调解时限"),
                "disputes.session.added": _("记录调解"),
                "disputes.sweep.completed": _("完成矛盾排查"),
            }
        )
        from wanjia.core import intents
        from wanjia.core import panels as kernel_panels
        from wanjia.core.nav import console_nav_link
        from wanjia.core.roles import CAPABILITIES, Role
        from wanjia.core.today import ServiceLink, resident_service

        from . import access, panels, tasks, today  # noqa: F401  tasks, today: jobs and cards
        from .services.intake import case_from_incident

        # a patrol incident becomes a case in one tap (patrol asks; no import)
        intents.offer("disputes.incident_to_case", case_from_incident)

        kernel_panels.register(
            "estates.household", "disputes/_household_panel.html", panels.household_panel, order=30
        )
        from wanjia.core import figures

        from . import selectors

        figures.register(
            "disputes",
            "disputes.opened",
            _("新发纠纷"),
            note=_("期间内登记的矛盾纠纷件数（含排查发现和居民报告）。"),
            compute=selectors.regulator_opened,
            compute_many=selectors.regulator_opened_many,
            order=30,
        )
        figures.register(
            "disputes",
            "disputes.compound_rate",
            _("大事不出小区"),
            note=_("期间内化解的纠纷中，在楼栋或小区层级化解的比例。"),
            compute=selectors.regulator_compound_rate,
            compute_many=selectors.regulator_compound_rate_many,
            kind=figures.RATIO,
            better=figures.HIGHER,
            order=31,
        )
        figures.register(
            "disputes",
            "disputes.building_rate",
            _("小事不出楼栋"),
            note=_("期间内化解的纠纷中，在楼栋层级化解的比例。"),
            compute=selectors.regulator_building_rate,
            kind=figures.RATIO,
            better=figures.HIGHER,
            order=32,
        )

        mediators = {
            Role.COMPANY_ADMIN,
            Role.COMPOUND_MANAGER,
            Role.PARTY_SECRETARY,
            Role.BUILDING_LEADER,
            Role.STAFF,
        }
        console_nav_link(
            _("矛盾纠纷"), "disputes_home", roles=mediators, order=40, group="govern", icon="users"
        )
        console_nav_link(
            _("纠纷统计"),
            "disputes_figures",
            roles=CAPABILITIES["disputes.figures"],
            order=41,
            group="govern",
            icon="chart",
        )
        resident_service(
            ServiceLink(
                title=_("报告矛盾纠纷"),
                url_name="disputes_h5_report",
                description=_("漏水、噪音、停车……楼栋长帮您调解"),
                icon="flag",
                allowed=access.has_household,
            ),
            order=40,
        )
        resident_service(
            ServiceLink(
                title=_("我的纠纷"),
                url_name="disputes_h5_list",
                description=_("查看调解进度、评价"),
                allowed=access.has_household,
                icon="audit",
            ),
            order=41,
        )
