"""PyTorch reference for bench/llm-forward-backward: the same Qwen2-shaped model (written out as
transformers' Qwen2 eager modelling does it: RMSNorm, q/k/v bias, RoPE, grouped-query attention,
SwiGLU, tied embeddings), forward + backward + Adam, float32 on the CPU. One JSON line on stdout.

    /usr/bin/python3 bench/llm-forward-backward/torch-step.py --config qwen2-5m --threads 2 --steps 5
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        variance = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, heads, kv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
        self.heads, self.kv, self.dim = heads, kv, h // heads
        self.input_layernorm = RMSNorm(h, c["rms_norm_eps"])
        self.q_proj = nn.Linear(h, heads * self.dim, bias=True)
        self.k_proj = nn.Linear(h, kv * self.dim, bias=True)
        self.v_proj = nn.Linear(h, kv * self.dim, bias=True)
        self.o_proj = nn.Linear(heads * self.dim, h, bias=False)
        self.post_attention_layernorm = RMSNorm(h, c["rms_norm_eps"])
        self.gate_proj = nn.Linear(h, c["intermediate_size"], bias=False)
        self.up_proj = nn.Linear(h, c["intermediate_size"], bias=False)
        self.down_proj = nn.Linear(c["intermediate_size"], h, bias=False)

    def forward(self, x, cos, sin, mask):
        b, s, _ = x.shape
        n = self.input_layernorm(x)
        q = self.q_proj(n).view(b, s, self.heads, self.dim).transpose(1, 2)
        k = self.k_proj(n).view(b, s, self.kv, self.dim).transpose(1, 2)
        v = self.v_proj(n).view(b, s, self.kv, self.dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        groups = self.heads // self.kv
        k = k.repeat_interleave(groups, dim=1)
        v = v.repeat_interleave(groups, dim=1)
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.dim) + mask
        probs = F.softmax(scores, dim=-1, dtype=torch.float32)
        attended = torch.matmul(probs, v).transpose(1, 2).reshape(b, s, -1)
        x = x + self.o_proj(attended)
        n = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(n)) * self.up_proj(n))


class Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)
        dim = c["hidden_size"] // c["num_attention_heads"]
        inverse = 1.0 / (c["rope_theta"] ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
        self.register_buffer("inverse", inverse, persistent=False)

    def forward(self, ids):
        b, s = ids.shape
        positions = torch.arange(s, dtype=torch.float32)
        freqs = torch.outer(positions, self.inverse)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        mask = torch.full((s, s), torch.finfo(torch.float32).min).triu(1)[None, None]
        x = self.embed_tokens(ids)
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        return F.linear(self.norm(x), self.embed_tokens.weight)  # tied lm_head


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="qwen2-5m")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "configs.json")) as handle:
        c = json.load(handle)[args.config]
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = Model(c)
    parameters = sum(p.numel() for p in model.parameters())
    b, s = c["batch"], c["seq"]
    values, state = [], 12345  # the same ids as tfjs-step.ts
    for _ in range(b * s):
        state = (state * 1103515245 + 12345) % 2147483648
        values.append(state % c["vocab_size"])
    ids = torch.tensor(values, dtype=torch.long).view(b, s)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)

    def step():
        optimizer.zero_grad(set_to_none=True)
        logits = model(ids)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, c["vocab_size"]), ids[:, 1:].reshape(-1))
        loss.backward()
        optimizer.step()
        return loss.item()

    losses = [step() for _ in range(args.warmup)]
    times, cpu_times = [], []
    for _ in range(args.steps):
        started, cpu = time.perf_counter(), time.process_time()
        losses.append(step())
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.process_time() - cpu) * 1000)
    median = sorted(times)[len(times) // 2]
    print(json.dumps({
        "kind": "speed", "framework": "pytorch", "version": torch.__version__, "threads": torch.get_num_threads(),
        "config": args.config, "backend": "cpu", "parameters": parameters, "batch": b, "seq": s, "steps": len(times),
        "stepMs": times, "medianStepMs": median,
        "cpuMs": cpu_times, "medianCpuMs": sorted(cpu_times)[len(cpu_times) // 2], "tokensPerSecond": b * s * 1000 / median, "losses": losses,
    }))


if __name__ == "__main__":
    main()
