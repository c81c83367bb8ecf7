"""Chat templates, rendered with a sandboxed Jinja environment.

Gemma 3 270M is a *base* model: its GGUF carries no chat template. The project defines the
Gemma turn format here; the same Jinja string is used by the gateway (llama.cpp) and by
training (``tokenizer.chat_template``), so SFT teaches exactly the format that is served.

Gemma has no system role: a system message is prepended to the first user turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jinja2.sandbox import ImmutableSandboxedEnvironment

GEMMA_TEMPLATE = (
    "{{ bos_token }}"
    "{%- if messages and messages[0]['role'] == 'system' -%}"
    "{%- set prefix = messages[0]['content'] | trim + '\n\n' -%}"
    "{%- set turns = messages[1:] -%}"
    "{%- else -%}"
    "{%- set prefix = '' -%}"
    "{%- set turns = messages -%}"
    "{%- endif -%}"
    "{%- for m in turns -%}"
    "{%- set role = 'model' if m['role'] == 'assistant' else 'user' -%}"
    "{{ '<start_of_turn>' ~ role ~ '\n' }}"
    "{%- if loop.first and role == 'user' %}{{ prefix }}{% endif -%}"
    "{{ m['content'] | trim }}{{ '<end_of_turn>\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt %}{{ '<start_of_turn>model\n' }}{% endif -%}"
)
GEMMA_STOP = ["<end_of_turn>", "<eos>"]


@dataclass(frozen=True)
class ChatTemplate:
    name: str
    source: str
    bos_token: str = ""
    stop: tuple[str, ...] = ()

    def render(self, messages: Sequence[dict[str, str]], add_generation_prompt: bool = True) -> str:
        tpl = _ENV.from_string(self.source)
        return tpl.render(
            messages=list(messages),
            add_generation_prompt=add_generation_prompt,
            bos_token=self.bos_token,
        )


_ENV = ImmutableSandboxedEnvironment(trim_blocks=False, lstrip_blocks=False, keep_trailing_newline=True)

TEMPLATES: dict[str, ChatTemplate] = {
    "gemma": ChatTemplate("gemma", GEMMA_TEMPLATE, bos_token="<bos>", stop=tuple(GEMMA_STOP)),
}


def get_template(name_or_source: str | None) -> ChatTemplate:
    """A named template (``gemma``) or an inline Jinja source."""
    if not name_or_source:
        return TEMPLATES["gemma"]
    if name_or_source in TEMPLATES:
        return TEMPLATES[name_or_source]
    return ChatTemplate("custom", name_or_source)
