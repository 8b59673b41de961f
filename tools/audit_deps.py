#!/usr/bin/env python3
"""Audit the pinned requirements for known vulnerabilities with pip-audit, tolerating no network.

    python tools/audit_deps.py [-r requirements.txt] [--service pypi|osv] [--osv-url URL]

Exit 0: no known vulnerability, or the advisory database could not be reached or answered for no
pin (said loudly: CI must not fail because a service is down). Exit 1: a pin has a known
vulnerability. Exit 2: the audit itself is broken (pip-audit missing, requirements unreadable).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# What pip-audit (requests, urllib3, its services) says when the advisory database cannot answer.
UNREACHABLE = ("ConnectionError", "ConnectTimeout", "ReadTimeout", "Max retries exceeded", "NameResolutionError",
               "Failed to resolve", "Temporary failure in name resolution", "Network is unreachable",
               "Connection refused", "ServiceError", "HTTPError", "SSLError", "timed out",
               "Could not connect")


def verdict(report: dict[str, Any] | None, returncode: int, stderr: str) -> tuple[int, str]:
    """(exit code, message) from pip-audit's JSON report, its exit code and its error output."""
    if report is None:
        last = (stderr.strip().splitlines() or [""])[-1]
        if any(marker in stderr for marker in UNREACHABLE):
            return 0, f"WARNING: the advisory database could not be reached; dependencies NOT audited.\n{last}"
        return 2, f"pip-audit failed (exit {returncode}):\n{stderr.strip()}"
    deps = report.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    if vulnerable:
        lines = []
        for dep in vulnerable:
            for vuln in dep["vulns"]:
                fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
                ids = " / ".join(dict.fromkeys([vuln["id"], *vuln.get("aliases", [])]))
                lines.append(f"{dep['name']}=={dep['version']}: {ids} (fixed in: {fixes})")
        return 1, "Known vulnerabilities in pinned requirements:\n" + "\n".join(lines)
    audited = [d for d in deps if "skip_reason" not in d]
    if not audited:
        return 0, (f"WARNING: the advisory database answered for none of the {len(deps)} pins "
                   "(unreachable, or a mirror without advisories); dependencies NOT audited.")
    skipped = len(deps) - len(audited)
    return 0, f"No known vulnerabilities in {len(audited)} pins" + (f" ({skipped} not found)." if skipped else ".")


def run(requirements: Path, service: str, osv_url: str | None, timeout: int) -> tuple[int, str]:
    if not requirements.is_file():
        return 2, f"no such requirements file: {requirements}"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "pip_audit", "-r", str(requirements), "--no-deps", "--disable-pip",
               "--progress-spinner", "off", "-f", "json", "-o", str(out), "-s", service, "--timeout", str(timeout),
               "--cache-dir", str(Path(tmp) / "cache")]
        if osv_url:
            cmd += ["--osv-url", osv_url]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout * 40)
        report = None
        if out.is_file() and out.stat().st_size:
            try:
                report = json.loads(out.read_text())
            except json.JSONDecodeError:
                report = None
        return verdict(report, proc.returncode, proc.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-r", "--requirements", type=Path, default=ROOT / "requirements.txt")
    parser.add_argument("--service", choices=("pypi", "osv"), default="pypi")
    parser.add_argument("--osv-url", help="another OSV endpoint (a mirror, or a test server)")
    parser.add_argument("--timeout", type=int, default=15, help="seconds per request")
    args = parser.parse_args(argv)
    if args.osv_url:
        args.service = "osv"
    code, message = run(args.requirements, args.service, args.osv_url, args.timeout)
    print(message, file=sys.stderr if code else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main())
