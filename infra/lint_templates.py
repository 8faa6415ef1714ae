"""Run cfn-lint on every synthesized template (CDK's own W3005 is ignored: it reports every template).

.venv/bin/python -m infra.lint_templates [cdk.out]
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

IGNORED_CHECKS = ("W3005",)  # redundant DependsOn, emitted by CDK itself


def lint(assembly_dir: Path) -> int:
    templates = sorted(str(p) for p in assembly_dir.glob("*.template.json"))
    if not templates:
        print(f"no *.template.json in {assembly_dir}: synthesize first", file=sys.stderr)
        return 2
    cfn_lint = Path(sys.executable).with_name("cfn-lint")  # the console script beside this interpreter
    command = [str(cfn_lint), *templates, "--ignore-checks", *IGNORED_CHECKS]
    result = subprocess.run(command, check=False)
    if result.returncode == 0:
        print(f"cfn-lint: {len(templates)} templates clean", file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(lint(Path(sys.argv[1] if len(sys.argv) > 1 else "cdk.out")))
