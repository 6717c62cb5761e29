from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "wanjia.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Every installed app's permissions, before any app's ready() reads them
        # (the kernel imports no app by name; see wanjia.core.access).
        from . import roles  # noqa: F401  (the kernel's own permissions)

        autodiscover_modules("access")

        from wanjia.core.audit import describe_actions

        describe_actions(
            {
                "core.company.settings": _("修改企业设置"),
                "core.keys.field_key_rotated": _("轮换字段加密密钥"),
                "core.membership.granted": _("授予角色"),
                "core.membership.revoked": _("撤销角色"),
                "core.outbox.retried": _("重发通知"),
                "core.token.issued": _("签发接口令牌"),
                "core.token.revoked": _("吊销接口令牌"),
                "core.login.succeeded": _("登录成功"),
                "core.login.failed": _("登录失败"),
                "core.login.locked": _("登录被锁定"),
            }
        )
        from .nav import console_nav_link
        from .roles import CAPABILITIES

        console_nav_link(_("今日工作"), "console_home", roles=None, order=0, icon="today")
        from .pages import CONSOLE_ROLES

        console_nav_link(_("搜索"), "console_search", roles=CONSOLE_ROLES, order=1, icon="search")
        console_nav_link(
            _("审计日志"),
            "audit_log",
            roles=CAPABILITIES["audit.view"],
            order=90,
            group="admin",
            icon="audit",
        )
        console_nav_link(
            _("角色权限"),
            "access_table",
            roles=CAPABILITIES["access.view"],
            order=91,
            group="admin",
            icon="audit",
        )
