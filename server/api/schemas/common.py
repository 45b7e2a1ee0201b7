"""Fields and schemas every blueprint's schemas share: ids, text, times, the error shape."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from sync.ids import ID_PATTERN

from ...auth.passwords import PICTURE_PASSWORD_LENGTH, PICTURES
from ...models.school import ACCOMMODATIONS

LANGUAGE = validate.Regexp(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", error="Not a language tag.")


def no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("Text may not contain NUL characters.")


def Text(max_length: int, min_length: int = 0, **kwargs: Any) -> fields.String:
    """A string field with a length range that refuses NUL."""
    return fields.String(
        validate=[validate.Length(min=min_length, max=max_length), no_nul], **kwargs
    )


def Id(**kwargs: Any) -> fields.String:
    """A global id field."""
    return fields.String(validate=validate.Regexp(ID_PATTERN, error="Not an id."), **kwargs)


def Int(minimum: int, maximum: int, **kwargs: Any) -> fields.Integer:
    """A strict integer field within a range."""
    return fields.Integer(strict=True, validate=validate.Range(minimum, maximum), **kwargs)


MS = 2**53  # times in ms since the epoch; JavaScript's safe integer range


class ErrorBodySchema(Schema):
    """The inside of every error."""

    status = fields.Integer(required=True)
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Raw(allow_none=True)


class ErrorSchema(Schema):
    """The one error shape."""

    error = fields.Nested(ErrorBodySchema, required=True)


class PictureListField(fields.List):
    """Exactly three picture keys."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            fields.String(validate=validate.OneOf(PICTURES)),
            validate=validate.Length(equal=PICTURE_PASSWORD_LENGTH),
            **kwargs,
        )


PROFILE_LIST = fields.List(Text(60, 1), validate=validate.Length(max=20))


MODALITY_LIST = fields.List(
    fields.String(validate=validate.OneOf(("read", "watch", "listen", "do"))),
    validate=validate.Length(max=4),
)


ACCOMMODATION_LIST = fields.List(
    fields.String(validate=validate.OneOf(ACCOMMODATIONS)),
    validate=validate.Length(max=len(ACCOMMODATIONS)),
)
