"""Encryption at rest for sensitive fields (ID numbers) and the keyed hash that finds them."""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(key_material: str) -> Fernet:
    digest = hashlib.sha256(("enc:" + key_material).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


@lru_cache(maxsize=4)
def _hash_key(key_material: str) -> bytes:
    return hashlib.sha256(("mac:" + key_material).encode()).digest()


def encrypt(value: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def id_number_hash(value: str) -> str:
    value = (value or "").strip().upper()
    return hmac.new(
        _hash_key(settings.FIELD_ENCRYPTION_KEY), value.encode(), hashlib.sha256
    ).hexdigest()


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def looks_like_id_number(text: str) -> bool:
    """Whether a search term is an ID number (then it is looked up by its keyed hash)."""
    text = (text or "").strip()
    return len(text) == 18 and text[:17].isdigit()


def id_number_is_valid(value: str) -> bool:
    """GB 11643: 17 digits and a check character."""
    value = (value or "").strip().upper()
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == value[17]


def id_number_with_check(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return first17 + _CHECK[total % 11]
