"""In-process llama.cpp engine (``llama-cpp-python``).

The ``Llama`` object is not thread-safe: every use of it goes through one FIFO lock, and at most
``max_queue`` requests are admitted at once (the rest get :class:`EngineBusy`, HTTP 429).

Generation drives ``Llama.generate`` token by token (the same loop ``create_completion`` uses),
so the gateway adds no per-token work beyond detokenising, stop-string matching and, when asked,
log-probabilities computed from the last logits row. Scoring evaluates only the tokens that are
not already in the KV cache (prefix reuse) and asks llama.cpp for logits only at the positions
that are scored, which keeps memory small despite Gemma's 262k-token vocabulary.
"""

from __future__ import annotations

import codecs
import json
import random
import re
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from partages.engines.admission import Admission, FifoLock
from partages.engines.base import (
    ChatMessage,
    Chunk,
    Engine,
    ModelInfo,
    SamplingParams,
    ScoreRequest,
    ScoreResult,
    TokenLogprob,
)
from partages.engines.chat_template import get_template
from partages.engines.errors import ContextLengthExceeded, EngineError, InvalidRequest, InvalidSchema

_SENTINEL = "\x00PARTAGES_MSG_{}\x00"
_SENTINEL_RE = re.compile("\x00PARTAGES_MSG_(\\d+)\x00")
# Prompts are decoded in ubatches aligned on absolute positions [k*B, (k+1)*B). llama.cpp's
# results depend on how tokens are batched (an 8-token batch and 6+2 differ by up to ~0.25 nats
# on this model), so aligned blocks make outputs independent of what the KV cache held before:
# the same request gives bit-identical log-probs and the same greedy text whatever ran earlier,
# and prefix reuse stays exact. Scoring uses small blocks (fine-grained reuse of a question
# shared by its options); generation uses n_batch-sized blocks (prompt speed).
_SCORE_BLOCK = 32


def _log_softmax(rows: np.ndarray) -> np.ndarray:
    m = rows.max(axis=-1, keepdims=True)
    shifted = rows - m
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def validate_json_schema(schema: Any) -> None:
    """Reject schemas that are not valid JSON Schema (clear 400, not a crash)."""
    import jsonschema

    if not isinstance(schema, dict):
        raise InvalidSchema("response_format.json_schema.schema must be a JSON object")
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise InvalidSchema(f"Invalid JSON schema: {exc.message}") from None


class LlamaCppEngine(Engine):
    def __init__(
        self,
        model_path: str,
        info: ModelInfo,
        *,
        n_ctx: int = 4096,
        n_threads: int = 2,
        n_batch: int = 512,
        max_queue: int = 64,
        retry_after: int = 2,
        lora_path: str | None = None,
    ) -> None:
        from llama_cpp import Llama

        from partages.engines.llama_logs import quiet_llama_logs

        quiet_llama_logs()
        if info.context_length:
            n_ctx = min(n_ctx, info.context_length)
        self._llm = Llama(
            model_path=model_path,
            n_ctx=n_ctx,
            n_threads=n_threads,
            n_threads_batch=n_threads,
            n_batch=n_batch,
            logits_all=False,
            lora_path=lora_path,
            verbose=False,
        )
        self.info = info
        self.n_ctx = n_ctx
        self.n_vocab = self._llm.n_vocab()
        self._lock = FifoLock()
        self._admission = Admission(max_queue, retry_after)
        self._template = get_template(info.chat_template)
        self._bos_text = self._piece(self._llm.token_bos(), special=True)
        self._vocab = self._llm._model.vocab
        self._canonical = 0  # KV-cache tokens computed by aligned blocks of size _canonical_block
        self._canonical_block = _SCORE_BLOCK

    # -- helpers -------------------------------------------------------------------------
    def _piece(self, token: int, special: bool = False) -> str:
        return self._llm._model.detokenize([token], special=special).decode("utf-8", errors="replace")

    def _tokenize(self, text: str, *, add_bos: bool, special: bool) -> list[int]:
        try:
            return self._llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=special)
        except RuntimeError:
            # llama-cpp-python's message would contain the text: never let it out.
            raise InvalidRequest("The text could not be tokenised.") from None

    def _is_eog(self, token: int) -> bool:
        import llama_cpp

        return bool(llama_cpp.llama_vocab_is_eog(self._vocab, token))

    def count_tokens(self, text: str) -> int:
        return len(self._tokenize(text, add_bos=False, special=False))

    def queue_depth(self) -> int:
        return self._admission.depth

    def encode_prompt(self, prompt: str | list[int]) -> list[int]:
        """Raw completion prompt → tokens. Special tokens in the text are parsed (as llama.cpp's
        server does), and BOS is added unless the text already starts with it."""
        if isinstance(prompt, list):
            if not all(isinstance(t, int) and 0 <= t < self.n_vocab for t in prompt):
                raise InvalidRequest("prompt token ids must be integers within the vocabulary", param="prompt")
            return list(prompt)
        has_bos = bool(self._bos_text) and prompt.startswith(self._bos_text)
        return self._tokenize(prompt, add_bos=not has_bos, special=True)

    def encode_chat(self, messages: Sequence[ChatMessage]) -> list[int]:
        """Render the chat template with message contents tokenised *without* parsing special
        tokens, so text in a message cannot forge turn markers (prompt-injection hardening)."""
        placeholders = [
            {"role": m.role, "content": _SENTINEL.format(i)} for i, m in enumerate(messages)
        ]
        try:
            rendered = self._template.render(placeholders, add_generation_prompt=True)
        except Exception as exc:  # jinja errors name the template, not the content
            raise InvalidRequest(f"Chat template error: {type(exc).__name__}") from None
        ids: list[int] = []
        pos = 0
        for m in _SENTINEL_RE.finditer(rendered):
            if m.start() > pos:
                ids += self._tokenize(rendered[pos : m.start()], add_bos=False, special=True)
            content = messages[int(m.group(1))].content.strip()
            if content:
                ids += self._tokenize(content, add_bos=False, special=False)
            pos = m.end()
        if pos < len(rendered):
            ids += self._tokenize(rendered[pos:], add_bos=False, special=True)
        return ids

    def _budget(self, n_prompt: int, max_tokens: int | None, param: str) -> int:
        if n_prompt >= self.n_ctx:
            raise ContextLengthExceeded(
                f"This model's context is {self.n_ctx} tokens; the prompt has {n_prompt}.", param=param
            )
        room = self.n_ctx - n_prompt
        if max_tokens is None:
            return room
        if max_tokens > room:
            raise ContextLengthExceeded(
                f"This model's context is {self.n_ctx} tokens; the prompt has {n_prompt} and "
                f"max_tokens asks for {max_tokens} more.",
                param="max_tokens",
            )
        return max_tokens

    def _grammar(self, params: SamplingParams):
        from llama_cpp.llama_grammar import JSON_GBNF, LlamaGrammar

        if params.json_schema is not None:
            validate_json_schema(params.json_schema)
            try:
                return LlamaGrammar.from_json_schema(json.dumps(params.json_schema), verbose=False)
            except Exception as exc:
                raise InvalidSchema(f"Unsupported JSON schema for constrained decoding: {exc}") from None
        if params.json_object:
            return LlamaGrammar.from_string(JSON_GBNF, verbose=False)
        return None

    # -- public API ----------------------------------------------------------------------
    def stream_completion(self, prompt: str | list[int], params: SamplingParams) -> Iterator[Chunk]:
        ids = self.encode_prompt(prompt)
        if not ids:
            raise InvalidRequest("The prompt is empty.", param="prompt")
        budget = self._budget(len(ids), params.max_tokens, "prompt")
        return self._admitted(ids, params, budget, stop_strings=list(params.stop), echo=params.echo)

    def stream_chat(self, messages: Sequence[ChatMessage], params: SamplingParams) -> Iterator[Chunk]:
        if not messages:
            raise InvalidRequest("messages must contain at least one message", param="messages")
        ids = self.encode_chat(messages)
        budget = self._budget(len(ids), params.max_tokens, "messages")
        stops = list(params.stop) + [s for s in self._template.stop if s not in params.stop]
        return self._admitted(ids, params, budget, stop_strings=stops, echo=False)

    def _admitted(self, ids: list[int], params: SamplingParams, budget: int, *, stop_strings: list[str], echo: bool) -> Iterator[Chunk]:
        grammar = self._grammar(params)  # validate before admission: a bad schema is a 400
        self._admission.enter()  # may raise EngineBusy now, before any response is started
        return self._generate(ids, params, budget, stop_strings, echo, grammar)

    def _generate(self, ids, params, budget, stop_strings, echo, grammar) -> Iterator[Chunk]:
        try:
            self._lock.acquire()
            try:
                yield from self._generate_locked(ids, params, budget, stop_strings, echo, grammar)
            finally:
                self._lock.release()
        finally:
            self._admission.leave()

    def _generate_locked(self, ids, params, budget, stop_strings, echo, grammar) -> Iterator[Chunk]:
        llm = self._llm
        want_lp = params.logprobs is not None
        top_n = max(0, params.logprobs or 0)
        prompt_text = ""
        if echo:
            prompt_text = "".join(self._piece(t, special=False) for t in ids)
            prompt_lps: list[TokenLogprob] = []
            if want_lp:
                prompt_lps = self._prompt_logprobs(ids, top_n)
            yield Chunk(text=prompt_text, logprobs=prompt_lps)
        if budget == 0:
            yield Chunk(text="", finish_reason="length", prompt_tokens=len(ids), completion_tokens=0)
            return

        llm.set_seed(params.seed if params.seed is not None else random.randint(0, 2**31 - 1))
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        text = ""  # all generated text
        emitted = 0  # characters of `text` already sent
        max_stop = max((len(s) for s in stop_strings), default=0)
        pending_lps: list[TokenLogprob] = []
        n_out = 0
        finish = "length"
        offset_base = len(prompt_text)

        self._prefill(ids)  # deterministic prompt evaluation, whatever the cache held
        gen = llm.generate(
            ids,
            temp=max(0.0, params.temperature),
            top_p=params.top_p,
            top_k=40,
            min_p=0.05,
            repeat_penalty=1.0,
            grammar=grammar,
        )
        try:
            for token in gen:
                if self._is_eog(token):
                    finish = "stop"
                    break
                n_out += 1
                piece = decoder.decode(self._llm._model.detokenize([token], special=False))
                if want_lp:
                    pending_lps.append(self._last_token_logprob(token, top_n, offset_base + len(text)))
                text += piece
                # stop strings
                if stop_strings:
                    search_from = max(0, emitted - max_stop)
                    hits = [(text.find(s, search_from), s) for s in stop_strings if s]
                    hits = [(i, s) for i, s in hits if i >= 0]
                    if hits:
                        cut = min(i for i, _ in hits)
                        if cut > emitted:
                            yield Chunk(text=text[emitted:cut], logprobs=pending_lps)
                        emitted = cut
                        pending_lps = []
                        finish = "stop"
                        break
                    safe = len(text) - _held_back(text, stop_strings)
                else:
                    safe = len(text)
                if safe > emitted:
                    yield Chunk(text=text[emitted:safe], logprobs=pending_lps)
                    emitted = safe
                    pending_lps = []
                if n_out >= budget or llm.n_tokens + 1 >= self.n_ctx:
                    finish = "length"
                    break
        finally:
            gen.close()
        tail = text[emitted:] if finish == "length" else ""
        if finish == "length":
            tail += decoder.decode(b"", final=True)
        yield Chunk(
            text=tail,
            finish_reason=finish,  # type: ignore[arg-type]
            logprobs=pending_lps if finish == "length" else [],
            prompt_tokens=len(ids),
            completion_tokens=n_out,
        )

    # -- log-probabilities ---------------------------------------------------------------
    def _top(self, row_lp: np.ndarray, k: int) -> dict[str, float]:
        if k <= 0:
            return {}
        idx = np.argpartition(-row_lp, k)[:k]
        idx = idx[np.argsort(-row_lp[idx])]
        out: dict[str, float] = {}
        for i in idx:
            out.setdefault(self._piece(int(i)), float(row_lp[i]))
        return out

    def _last_token_logprob(self, token: int, top_n: int, offset: int) -> TokenLogprob:
        import llama_cpp

        ptr = llama_cpp.llama_get_logits_ith(self._llm._ctx.ctx, -1)
        row = np.ctypeslib.as_array(ptr, shape=(self.n_vocab,)).astype(np.float32, copy=True)
        lp = _log_softmax(row[None, :])[0]
        return TokenLogprob(self._piece(token), float(lp[token]), self._top(lp, top_n), offset)

    def _prompt_logprobs(self, ids: list[int], top_n: int) -> list[TokenLogprob]:
        lps, _, tops = self._score_positions(ids, start=1, top_n=top_n)
        out: list[TokenLogprob] = []
        offset = 0
        for i, t in enumerate(ids):
            piece = self._piece(t)
            if i == 0:
                out.append(TokenLogprob(piece, None, {}, offset))
            else:
                out.append(TokenLogprob(piece, lps[i - 1], tops[i - 1], offset))
            offset += len(piece)
        return out

    def _decode_aligned(self, ids: list[int], need_lo: int, need_hi: int, block: int = _SCORE_BLOCK) -> Iterator[tuple[list[int], np.ndarray]]:
        """Put ``ids`` in the KV cache, decoding in blocks aligned on absolute positions and
        reusing the cached prefix that earlier aligned decodes computed; yields
        ``(positions, logits_rows)`` for the positions in [need_lo, need_hi]. Caller holds the lock.

        Because every position is always computed in the same block with the same prefix, the
        result does not depend on what ran before (see ``_SCORE_BLOCK``)."""
        import llama_cpp

        llm = self._llm
        n = len(ids)
        if n > self.n_ctx:
            raise ContextLengthExceeded(f"This model's context is {self.n_ctx} tokens; the text has {n}.")
        cached = llm.input_ids[: llm.n_tokens].tolist()
        common = 0
        for a, b in zip(cached, ids):
            if a != b:
                break
            common += 1
        keep = min(common, need_lo, self._canonical if self._canonical_block == block else 0)
        keep -= keep % block
        llm._ctx.kv_cache_seq_rm(-1, keep, -1)
        llm.n_tokens = keep
        self._canonical, self._canonical_block = keep, block
        batch = llm._batch
        pos = keep
        last_flagged = False
        while pos < n:
            size = min(block - pos % block, n - pos)
            chunk = ids[pos : pos + size]
            batch.set_batch(batch=chunk, n_past=pos, logits_all=False)
            flagged = [p for p in range(pos, pos + size) if need_lo <= p <= need_hi]
            for j in range(size):
                batch.batch.logits[j] = need_lo <= pos + j <= need_hi
            if not flagged:
                batch.batch.logits[size - 1] = True
            try:
                llm._ctx.decode(batch)
            except Exception as exc:
                raise EngineError(f"llama.cpp decode failed: {type(exc).__name__}") from None
            llm.input_ids[pos : pos + size] = chunk
            llm.n_tokens = pos + size
            self._canonical = llm.n_tokens
            last_flagged = bool(flagged) and flagged[-1] == n - 1
            if flagged:
                ptr = llama_cpp.llama_get_logits(llm._ctx.ctx)
                yield flagged, np.ctypeslib.as_array(ptr, shape=(len(flagged), self.n_vocab))
            pos += size
        if hasattr(llm, "_requires_eval"):
            # generate() may sample straight away only if the last logits are the last token's
            llm._requires_eval = not last_flagged

    def _prefill(self, ids: list[int]) -> None:
        """Evaluate a prompt so that ``Llama.generate`` finds it cached and samples at once."""
        for _ in self._decode_aligned(ids, len(ids) - 1, len(ids) - 1, block=self._llm.n_batch):
            pass

    def _score_positions(self, ids: list[int], start: int, top_n: int = 0) -> tuple[list[float], list[bool], list[dict[str, float]]]:
        """Log-prob of ids[i] given ids[:i] for i in [start, len(ids)). Caller holds the lock."""
        start = max(1, start)
        lps: list[float] = []
        greedy: list[bool] = []
        tops: list[dict[str, float]] = []
        for positions, rows in self._decode_aligned(ids, start - 1, len(ids) - 2):
            lp_rows = _log_softmax(rows.astype(np.float32, copy=False))
            for r, p in enumerate(positions):
                target = ids[p + 1]
                row = lp_rows[r]
                lps.append(float(row[target]))
                greedy.append(int(row.argmax()) == target)
                tops.append(self._top(row, top_n))
        return lps, greedy, tops

    def score(self, requests: Sequence[ScoreRequest]) -> list[ScoreResult]:
        encoded: list[tuple[list[int], int]] = []
        for r in requests:
            ctx_ids = self._tokenize(r.context, add_bos=True, special=False)
            full = self._tokenize(r.context + r.continuation, add_bos=True, special=False)
            split = 0
            for a, b in zip(ctx_ids, full):
                if a != b:
                    break
                split += 1
            if split == len(full):  # empty continuation
                split = len(full)
            encoded.append((full, max(1, split)))
        # Sort so requests sharing a context run back to back (prefix reuse), keep order in output.
        order = sorted(range(len(encoded)), key=lambda i: encoded[i][0])
        results: list[ScoreResult | None] = [None] * len(encoded)
        self._admission.enter()
        try:
            with self._lock.held():
                for i in order:
                    full, split = encoded[i]
                    if split >= len(full):
                        results[i] = ScoreResult(0.0, True, 0, [])
                        continue
                    lps, greedy, _ = self._score_positions(full, start=split)
                    results[i] = ScoreResult(sum(lps), all(greedy), len(lps), lps)
        finally:
            self._admission.leave()
        return [r for r in results if r is not None]

    def close(self) -> None:
        self._llm.close()


def _held_back(text: str, stops: list[str]) -> int:
    """Length of the longest suffix of ``text`` that is a proper prefix of a stop string."""
    best = 0
    for s in stops:
        for k in range(min(len(s) - 1, len(text)), best, -1):
            if text.endswith(s[:k]):
                best = k
                break
    return best
