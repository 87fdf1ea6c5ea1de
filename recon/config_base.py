"""What every section of the config YAML shares (CONTRACT.md §1): the base
model that refuses unknown keys with a "did you mean", reading the file, and
turning pydantic's errors into the one Chinese line a clerk reads.

A config error names the key as the file spells it: `assistance_days`,
`rules.PHN02.enabled`, `stage_ages.小学`, `checks[2].when[0].column`. The path
is rebuilt by walking pydantic's `loc` through the data that was read, so the
labels pydantic adds for union members never show."""
from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Tag, ValidationError, model_validator
from pydantic_core import PydanticCustomError

# At most this many errors share the one line (a clerk fixes them in one go).
ERRORS_SHOWN = 3
# Shown values are cut here: the line must stay one readable line.
SHOWN_VALUE_CHARS = 40
# A small model lists its keys when a typo is close to none of them.
KEYS_LISTED_UP_TO = 6


class ConfigModel(BaseModel):
    """A mapping of the config: frozen, and an unknown key is an error that
    names it (with the closest known key) rather than pydantic's bare
    extra_forbidden."""
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown_keys(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            known = config_keys(cls)
            for key in data:
                if key not in known:
                    raise PydanticCustomError("unknown_key", "未知的键 {key}{hint}",
                                              {"key": key, "hint": key_hint(str(key), known)})
        return data


def union_tag(name: str) -> Tag:
    """The tag of a member of a tagged union, spelt `<name>`: pydantic puts
    it in an error's loc, and a plain `in` or `age` could be taken for the
    file's key of the same name, which key_path then would walk into."""
    return Tag(f"<{name}>")


def is_union_tag(step: Any) -> bool:
    return isinstance(step, str) and step.startswith("<") and step.endswith(">")


def config_keys(model: type[BaseModel]) -> list[str]:
    """The keys a model takes in a file: a field's alias where it has one
    (`in:` of a condition cannot be a Python name), else its name."""
    keys = []
    for name, field in model.model_fields.items():
        alias = field.validation_alias if isinstance(field.validation_alias, str) else field.alias
        keys.append(alias or name)
    return keys


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to a misspelt word, when one is close."""
    by_upper = {str(candidate).upper(): str(candidate) for candidate in candidates}
    close = difflib.get_close_matches(word.upper(), list(by_upper), n=1, cutoff=0.6)
    return by_upper[close[0]] if close else None


def suggestion(word: str, candidates: Iterable[str]) -> str:
    """`（是否应为 X？）`, or nothing."""
    close = did_you_mean(word, candidates)
    return f"（是否应为 {close}？）" if close else ""


def key_hint(word: str, known: list[str]) -> str:
    """The closest key, else for a small mapping the keys it takes."""
    hint = suggestion(word, known)
    if not hint and len(known) <= KEYS_LISTED_UP_TO:
        hint = f"（可用的键：{'、'.join(known)}）"
    return hint


# ---- reading the file -------------------------------------------------------

class ConfigFileError(ValueError):
    """A config file that cannot be used: one line, naming the file."""


# PyYAML's commonest complaints in a hand-edited file, in plain Chinese (by how they begin).
YAML_PROBLEMS = {
    "mapping values are not allowed here": "这里不能有冒号（值中含冒号时请加引号）",
    "found character '\\t' that cannot start any token": "不能用 Tab 缩进，请用空格",
    "could not find expected ':'": "缺少冒号",
    "expected ',' or '}'": "花括号 { } 没有配对，或缺少逗号",
    "expected ',' or ']'": "方括号 [ ] 没有配对，或缺少逗号",
    "expected <block end>": "缩进不一致",
    "found unexpected end of stream": "引号没有配对",
}
TYPE_NAMES = {list: "列表", str: "文字", int: "数字", float: "数字", bool: "true/false"}


def read_config_mapping(path: Path) -> dict:
    """The top-level mapping of a config file; an empty file is an empty
    mapping (all defaults). Anything else unusable is a ConfigFileError."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")   # Notepad's BOM is not an error
    except FileNotFoundError:
        raise ConfigFileError(f"配置文件 {name}: 文件不存在") from None
    except UnicodeDecodeError:
        raise ConfigFileError(f"配置文件 {name}: 不是 UTF-8 编码，请另存为 UTF-8") from None
    except OSError as exc:
        raise ConfigFileError(f"配置文件 {name}: 无法读取（{exc.strerror or exc}）") from None
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        raise ConfigFileError(f"配置文件 {name}: {yaml_problem(exc)}") from None
    except yaml.YAMLError as exc:
        raise ConfigFileError(f"配置文件 {name}: YAML 格式错误（{one_line(str(exc))}）") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        kind = TYPE_NAMES.get(type(data), type(data).__name__)
        raise ConfigFileError(f"配置文件 {name}: 顶层应为“设置项: 值”的键值对，实际为{kind}")
    return data


def yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    """`第 4 行（自第 3 行起）: YAML 格式错误：花括号 { } 没有配对…` — the line
    where PyYAML noticed it, and where what it was reading began."""
    where = ""
    if exc.problem_mark is not None:
        where = f"第 {exc.problem_mark.line + 1} 行"
        if exc.context_mark is not None and exc.context_mark.line != exc.problem_mark.line:
            where += f"（自第 {exc.context_mark.line + 1} 行起）"
        where += ": "
    problem = exc.problem or exc.context or "无法解析"
    plain = next((text for start, text in YAML_PROBLEMS.items() if problem.startswith(start)), problem)
    return f"{where}YAML 格式错误：{plain}"


# ---- pydantic's errors as one line ------------------------------------------

def validation_error_line(exc: ValidationError, data: Any) -> str:
    """The first few errors of a validation, `；`-joined on one line."""
    # Members of a union can fail alike (the same unknown key): say it once.
    texts = list(dict.fromkeys(error_text(error, data) for error in exc.errors(include_url=False)))
    more = f"；另有 {len(texts) - ERRORS_SHOWN} 处错误" if len(texts) > ERRORS_SHOWN else ""
    texts = texts[:ERRORS_SHOWN]
    return one_line("；".join(texts) + more)


def error_text(error: Mapping, data: Any) -> str:
    """`rules.PHN03: 不是目录中的规则代码（是否应为 PHN02？）`."""
    kind, ctx = error["type"], error.get("ctx") or {}
    path = key_path(error["loc"], data, keep_last=kind == "missing")
    if kind == "unknown_key":
        if not path:
            return f"未知的设置项 {ctx['key']}{ctx['hint']}"
        return f"{add_key(path, ctx['key'])}: 未知的键{ctx['hint']}"
    if "at" in ctx:   # a check across keys (min ≤ max) names the key it reports
        path = ctx["at"]
    what = plain_chinese(error)
    return f"{path}: {what}" if path else what


def key_path(loc: tuple, data: Any, keep_last: bool = False) -> str:
    """`checks[2].when[0].column`: the steps of `loc` that are keys (dotted) or
    list indexes (bracketed) of `data`. pydantic's labels for union members
    (union_tag's, or a type's name) and its `[key]` marker are not in the
    file and are skipped; keep_last keeps a final step that is absent (a
    missing key)."""
    path, node = "", data
    for position, step in enumerate(loc):
        if is_union_tag(step):
            continue
        if isinstance(node, Mapping) and step in node:
            path, node = add_key(path, step), node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            path, node = f"{path}[{step}]", node[step]
        elif keep_last and position == len(loc) - 1:
            path = add_key(path, step)
    return path


def add_key(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def plain_chinese(error: Mapping) -> str:
    """What is wrong with the value, in plain Chinese, with the value itself."""
    kind, ctx = error["type"], error.get("ctx") or {}
    got = f"，实际为 {shown(error.get('input'))}"
    if kind.startswith("int_"):
        return "应为整数" + got
    if kind.startswith("float_"):
        return "应为数字" + got
    if kind.startswith("bool_"):
        return "应为 true 或 false" + got
    if kind == "string_type":
        return "应为文字" + got
    if kind == "literal_error":
        return literal_text(ctx.get("expected", ""), error.get("input"))
    if kind in BOUNDS:
        word, bound = BOUNDS[kind]
        return f"{word} {shown(ctx[bound])}" + got
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "应为键值对（键: 值）" + got
    if kind in ("list_type", "tuple_type"):
        return "应为列表（如 [6, 15]）" + got
    if kind == "too_short":
        return f"至少应有 {ctx.get('min_length')} 项" + got
    if kind == "too_long":
        return f"最多只能有 {ctx.get('max_length')} 项" + got
    if kind == "missing":
        return "缺少这一项"
    if kind == "extra_forbidden":
        return "未知的键"
    return error["msg"]   # our own errors are written in Chinese already


BOUNDS = {"greater_than_equal": ("不能小于", "ge"), "greater_than": ("应大于", "gt"),
          "less_than_equal": ("不能大于", "le"), "less_than": ("应小于", "lt")}


def literal_text(expected: str, value: Any) -> str:
    """`应为 unknown 或 not_in_school，实际为 'unkown'（是否应为 unknown？）`."""
    choices = [choice.strip().strip("'") for choice in expected.replace(" or ", ",").split(",") if choice.strip()]
    hint = suggestion(value, choices) if isinstance(value, str) else ""
    listed = "、".join(choices[:-1]) + " 或 " + choices[-1] if len(choices) > 1 else "".join(choices)
    return f"应为 {listed}，实际为 {shown(value)}{hint}"


def shown(value: Any) -> str:
    """A value as the file spells it: true, 空, 'thirty', {2024: abc}."""
    if value is None:
        return "空"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))   # 0, as the file says, not 0.0
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        text = repr(value)
    else:
        text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip()
        text = text.removesuffix("\n...").strip()
    return text if len(text) <= SHOWN_VALUE_CHARS else text[:SHOWN_VALUE_CHARS - 1] + "…"


def one_line(text: str) -> str:
    return " ".join(text.split())
