"""Reading ARNs: the one place that knows their shape (arn:partition:service:region:account:resource)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Arn:
    service: str
    region: str
    account: str
    resource: str
    """What follows the account: table/orders-x/stream/LABEL, function:NAME[:QUALIFIER], role/PATH/NAME."""

    @property
    def name(self) -> str:
        """The resource's own name: a function's name, a role's or policy's name without its path."""
        if self.service == "lambda":
            return self.resource.split(":")[1] if self.resource.startswith("function:") else ""
        return self.resource.rsplit("/", 1)[-1]

    @property
    def stream_table(self) -> str | None:
        """The table whose stream this is (None: not a DynamoDB stream ARN)."""
        parts = self.resource.split("/")
        is_stream = len(parts) == 4 and parts[0] == "table" and parts[2] == "stream"
        return parts[1] if is_stream and self.service == "dynamodb" else None

    @property
    def stream_label(self) -> str:
        return self.resource.rsplit("/", 1)[-1]


def parse(arn: str) -> Arn:
    """The ARN's parts; a string that is not an ARN has empty ones."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return Arn("", "", "", "")
    return Arn(parts[2], parts[3], parts[4], parts[5])
