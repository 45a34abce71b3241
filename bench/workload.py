"""What the benchmark sends: the stored-completion request of seed 001, on the Azure dated surface.

Every create request differs by a number in its user message (see wrk.VARY), as real traffic does.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from bench.wrk import VARY
from emulator.settings import DEFAULT_API_KEY

API_VERSION = "2025-02-01-preview"
DEPLOYMENT = "gpt-4o"
HEADERS = {"api-key": DEFAULT_API_KEY, "content-type": "application/json"}
CREATE_PATH = f"/openai/deployments/{DEPLOYMENT}/chat/completions?api-version={API_VERSION}"

CREATE_BODY = json.dumps(
    {
        "store": True,
        "metadata": {"user": "admin", "category": "docs-test"},
        "messages": [
            {
                "role": "system",
                "content": "Provide a clear and concise summary of the technical content, highlighting key "
                "concepts and their relationships. Focus on the main ideas and practical implications.",
            },
            {
                "role": "user",
                "content": "Ensemble methods combine multiple machine learning models to create a more robust "
                "and accurate predictor. Common techniques include bagging (training models on random subsets "
                "of data), boosting (sequentially training models to correct previous errors), and stacking "
                "(using a meta-model to combine base model predictions). Random Forests, a popular bagging "
                "method, create multiple decision trees using random feature subsets. Gradient Boosting builds "
                "trees sequentially, with each tree focusing on correcting the errors of previous trees. These "
                "methods often achieve better performance than single models by reducing overfitting and "
                "variance while capturing different aspects of the data. (Sample " + VARY + ".)",
            },
        ],
    }
).encode()


def create_body(number: int) -> bytes:
    """One create request, as the load generator sends it with `number` in place of VARY."""
    return CREATE_BODY.replace(VARY.encode(), str(number).encode())


# Stored completions spread over USERS users, so one metadata filter matches a tenth of them whatever
# the store's size: the page is always full and the count of matches grows with the data.
USERS = 10
FILTER_KEY, FILTER_VALUE = "user", "user-3"


def metadata_for(index: int) -> dict[str, str]:
    return {"user": f"user-{index % USERS}", "category": "docs-test"}


def list_path() -> str:
    """The filtered list as AzureOpenAI sends it: the 20 newest completions with user=user-3, and `total`."""
    query = urlencode({"api-version": API_VERSION, f"metadata[{FILTER_KEY}]": FILTER_VALUE, "limit": 20})
    return "/openai/chat/completions?" + query


def openai_list_path() -> str:
    """The same page as OpenAI(base_url=.../v1) asks for it; that surface answers without `total`."""
    query = urlencode({f"metadata[{FILTER_KEY}]": FILTER_VALUE, "limit": 20, "order": "desc"})
    return "/v1/chat/completions?" + query


OPENAI_HEADERS = {"authorization": f"Bearer {DEFAULT_API_KEY}"}
