"""The three kinds of model: a JSON body, query parameters, and an answer."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

# Request models by class name: pydantic names the model in a ValidationError's title,
# which is how a refusal finds the status its kind of input answers with.
REQUEST_MODELS: dict[str, type[BaseModel]] = {}


class _Request(BaseModel):
    refusal_status: ClassVar[int] = 422

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        REQUEST_MODELS[cls.__name__] = cls


class Body(_Request):
    """A JSON request body: unknown fields are refused by name, 422 like other rules."""

    model_config = ConfigDict(extra="forbid")


class Query(_Request):
    """Query-string parameters: a malformed one makes a malformed request, 400."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    refusal_status: ClassVar[int] = 400


class Answer(BaseModel):
    """An answer body: every field present (null where empty) and no others."""

    model_config = ConfigDict(extra="forbid")
