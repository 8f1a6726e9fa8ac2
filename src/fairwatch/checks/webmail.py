"""Consumer webmail domains: personal accounts, never approved school accounts (4.4, 4.5)."""

WEBMAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.co.uk",
        "live.com",
        "live.co.uk",
        "msn.com",
        "yahoo.com",
        "yahoo.co.uk",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "aol.co.uk",
        "btinternet.com",
        "btopenworld.com",
        "sky.com",
        "virginmedia.com",
        "ntlworld.com",
        "talktalk.net",
        "tiscali.co.uk",
        "protonmail.com",
        "proton.me",
        "gmx.com",
        "gmx.co.uk",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "fastmail.com",
        "hushmail.com",
        "outlook.co.uk",
        "talk21.com",
        "blueyonder.co.uk",
        "protonmail.ch",
        "pm.me",
        "tutanota.com",
        "hotmail.fr",
        "googlemail.co.uk",
    }
)


def is_webmail(domain: str) -> bool:
    return domain.lower() in WEBMAIL
