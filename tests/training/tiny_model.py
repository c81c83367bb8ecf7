"""A tiny, randomly initialised Gemma 3 (2 layers, hidden 64, 1k SentencePiece vocabulary) for
fast end-to-end tests of training and export. The tokenizer is trained in a fraction of a second
on text the test supplies, so nothing is downloaded."""

from __future__ import annotations

import io
from pathlib import Path

SPECIAL = ["<start_of_turn>", "<end_of_turn>"]


def build_tiny_gemma3(out: Path, texts: list[str], vocab_size: int = 1000, seed: int = 0) -> Path:
    import sentencepiece as spm
    import torch
    from tokenizers.models import BPE
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig, GemmaTokenizer
    from transformers.convert_slow_tokenizer import SentencePieceExtractor

    out.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(texts), model_writer=buf, vocab_size=vocab_size, model_type="bpe",
        pad_id=0, eos_id=1, bos_id=2, unk_id=3, pad_piece="<pad>", eos_piece="<eos>", bos_piece="<bos>", unk_piece="<unk>",
        user_defined_symbols=SPECIAL, byte_fallback=True, character_coverage=1.0, minloglevel=2,
    )
    (out / "tokenizer.model").write_bytes(buf.getvalue())
    kw = SentencePieceExtractor(str(out / "tokenizer.model")).extract(BPE)
    tok = GemmaTokenizer(vocab=kw["vocab"], merges=kw["merges"], extra_special_tokens=SPECIAL)
    torch.manual_seed(seed)
    cfg = Gemma3TextConfig(
        vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=2,
        num_key_value_heads=1, head_dim=32, max_position_embeddings=1024, sliding_window=64,
        pad_token_id=0, eos_token_id=1, bos_token_id=2,
    )
    model = Gemma3ForCausalLM(cfg)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out
