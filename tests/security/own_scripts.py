"""The one script tag the app itself puts on learner pages (app/offline: the offline reading
enhancement, named exactly by the CSP). Checks for injected scripts look at a page without it;
anything else that looks like a script is still caught."""

import re

OFFLINE_SCRIPT = re.compile(
    r'<script src="/static/offline\.js\?v=[0-9a-f]+" data-user="\d+" data-csrf="[A-Za-z0-9._-]+" defer>'
    r"</script>"
)


def without_own_scripts(page: str) -> str:
    return OFFLINE_SCRIPT.sub("", page, count=1)
