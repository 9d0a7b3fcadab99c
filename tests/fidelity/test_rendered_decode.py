"""Every document fluxops renders from every fixture repo reads the same in Go as in Python.

`fluxops build REPO --all` (in process, and printed by the renderer the CLI uses) is decoded
by Go (sigs.k8s.io/yaml as kubectl and the controllers decode it, and kyaml as kustomize
reads it) and compared with the objects fluxops holds, document for document: same keys,
same types, same values. The objects fluxops holds are kustomize's output read as the
controller reads it (fluxops.goyaml.load), so a difference here would be one Flux would see.
"""

from __future__ import annotations

import pytest

from fluxops import api
from fluxops.output.build import objects_yaml
from fluxops.output.masking import mask_secret
from tests.conftest import fixture_repos, require_fixture_repos
from tests.gotools import GoDecoder, first_difference

pytestmark = pytest.mark.fidelity


@pytest.mark.parametrize("repo", [p.name for p in fixture_repos()] or ["(none)"])
def test_rendered_documents_read_the_same_in_go(repo: str, go_decoder: GoDecoder) -> None:
    require_fixture_repos()
    path = next(p for p in fixture_repos() if p.name == repo)
    result = api.build(api.BuildRequest(path=str(path), all_=True, cache=False))
    held = [mask_secret(o.raw) for b in result.builds for o in b.objects]
    assert held, f"{repo}: nothing rendered"
    text = objects_yaml(result)
    for kyaml in (False, True):
        decoded = go_decoder.decode(text, kyaml=kyaml)
        assert len(decoded) == len(held), f"{len(decoded)} documents in Go, {len(held)} held"
        for i, (mine, go) in enumerate(zip(held, decoded, strict=True)):
            where = first_difference(mine, go)
            reader = "kyaml" if kyaml else "sigs.k8s.io/yaml"
            assert where is None, f"{repo} document {i} ({reader}): {where}"
