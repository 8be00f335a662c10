"""Pooled analysis from site summaries equals the analysis of the combined registry, and R's on its rows.

Three site registries (north, south, west) hold the rows of tests/reference/federation/combined.csv; a
fourth registry holds all of them. R's reference values (make_reference.R beside the CSV) are:
    survfit(Surv(time, event) ~ group, data = rows)
    survdiff(Surv(time, event) ~ group [+ strata(site)], data = rows)
    coxph(Surv(time, event) ~ group + strata(site), data = rows, ties = "efron" | "breslow")
with time = days / 30.4375 (months, so near-equal float times are merged by R's timefix).
"""

from __future__ import annotations

import json
import re
from functools import partial

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from netpet.analysis.errors import AnalysisError
from netpet.analysis.studies.federation import (
    FORMAT,
    pool_summaries,
    pooled_counts,
    site_summary,
)
from netpet.analysis.studies.frames import survival_frame
from netpet.analysis.survival.cox import fit_cox
from netpet.analysis.survival.km import km_fit
from netpet.analysis.survival.logrank import logrank_test
from netpet.analysis.survival.pooled_cox import site_cox_terms
from netpet.cli import cli
from netpet.registry import Registry
from tests.federation_fixtures import DATE_PATTERN, ID_PATTERN, REFERENCE, combined_rows, fill_registry, site_rows

SITES = ("north", "south", "west")
TOL = 1e-8


@pytest.fixture(scope="module")
def registries(backend: str, registry_templates, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One registry per site, and `combined` with every site's rows, on each backend."""
    folder = tmp_path_factory.mktemp("federation")
    return {
        name: registry_templates.copy(backend, folder / name, partial(fill_registry, rows=rows), name=f"fed_{name}")
        for name, rows in [*((site, site_rows(site)) for site in SITES), ("combined", combined_rows())]
    }


@pytest.fixture(scope="module")
def summaries(registries: dict[str, str]) -> list[dict]:
    """Each site's summary, through JSON as it travels."""
    out = []
    for site in SITES:
        with Registry.open(registries[site], read_only=True) as reg:
            out.append(json.loads(json.dumps(site_summary(reg, site_label=site))))
    return out


@pytest.fixture(scope="module")
def combined(registries: dict[str, str]) -> pl.DataFrame:
    """The combined registry's survival frame with the site column."""
    with Registry.open(registries["combined"], read_only=True) as reg:
        return survival_frame(reg, covariates=["site"]).frame


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads((REFERENCE / "reference.json").read_text(encoding="utf-8"))


def test_pooled_km_equals_km_of_combined_registry_and_r(summaries, combined, reference):
    pooled = pool_summaries(summaries).km_table
    direct = km_fit(combined).table
    assert pooled.columns == direct.columns
    assert pooled["group"].to_list() == direct["group"].to_list()
    assert pooled["n_risk"].to_list() == direct["n_risk"].to_list()
    assert pooled["n_event"].to_list() == direct["n_event"].to_list()
    np.testing.assert_allclose(pooled["time"].to_numpy(), direct["time"].to_numpy(), rtol=0, atol=0)
    np.testing.assert_allclose(pooled["surv"].to_numpy(), direct["surv"].to_numpy(), rtol=TOL, atol=TOL)
    r = pl.DataFrame(reference["km"])
    assert pooled["n_risk"].to_list() == r["n_risk"].cast(pl.Int64).to_list()
    np.testing.assert_allclose(pooled["surv"].to_numpy(), r["surv"].to_numpy(), rtol=TOL)


def test_pooled_medians_equal_r_quantile(summaries, reference):
    pooled = pool_summaries(summaries).km_summary
    for row in reference["medians"]:
        mine = pooled.filter(pl.col("group") == row["group"]).row(0, named=True)
        assert mine["median"] == pytest.approx(row["median"], rel=TOL)
        assert mine["median_lower"] == pytest.approx(row["lower"], rel=TOL)
        assert mine["median_upper"] == (pytest.approx(row["upper"], rel=TOL) if "upper" in row else None)


def test_pooled_logrank_equals_survdiff_on_combined_rows(summaries, combined, reference):
    result = pool_summaries(summaries)
    assert result.logrank.chisq == pytest.approx(logrank_test(combined).chisq, rel=TOL)
    assert result.logrank.chisq == pytest.approx(reference["logrank"]["chisq"], rel=TOL)
    assert result.logrank.df == reference["logrank"]["df"]
    assert result.logrank_by_site.chisq == pytest.approx(reference["logrank_stratified"]["chisq"], rel=TOL)
    assert result.logrank_by_site.chisq == pytest.approx(logrank_test(combined, strata="site").chisq, rel=TOL)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_federated_cox_equals_coxph_with_site_strata(summaries, combined, reference, ties):
    cox = pool_summaries(summaries, ties=ties).cox
    assert cox is not None
    assert cox.converged
    direct = fit_cox(combined, terms=["group"], reference={"group": "P1"}, strata="site", ties=ties)
    np.testing.assert_allclose(cox.coef, direct.coef, rtol=TOL)
    np.testing.assert_allclose(cox.var, direct.var, rtol=TOL)
    assert cox.loglik == pytest.approx(direct.loglik, rel=TOL)
    r = reference[f"cox_{ties}"]
    assert cox.coefficients["term"].to_list() == r["term"]
    np.testing.assert_allclose(cox.coef, r["coef"], rtol=TOL)
    np.testing.assert_allclose(cox.coefficients["se"].to_numpy(), r["se"], rtol=TOL)
    assert [cox.loglik_null, cox.loglik] == pytest.approx(r["loglik"], rel=TOL)
    assert cox.iterations == r["iterations"]
    assert cox.wald.chisq == pytest.approx(r["wald"], rel=TOL)
    assert cox.score.chisq == pytest.approx(r["score"], rel=TOL)
    assert cox.likelihood_ratio.chisq == pytest.approx(2 * (r["loglik"][1] - r["loglik"][0]), rel=TOL)


def test_site_information_is_minus_the_hessian_of_its_loglik(summaries):
    """The information a site reports is the negative second derivative of its log-likelihood (central
    differences), and its gradient the first: what makes the coordinator's Newton steps correct."""
    counts = pooled_counts(summaries).select(stratum=2)
    beta, h = np.array([0.3, 1.1]), 1e-5
    _, gradient, information = site_cox_terms(counts, beta)
    for j in range(2):
        step = np.eye(2)[j] * h
        up, down = site_cox_terms(counts, beta + step), site_cox_terms(counts, beta - step)
        assert (up[0] - down[0]) / (2 * h) == pytest.approx(gradient[j], rel=1e-6)
        np.testing.assert_allclose(-(up[1] - down[1]) / (2 * h), information[:, j], rtol=1e-5)


def test_site_files_hold_no_patient_id_and_no_date(registries, tmp_path):
    with Registry.open(registries["combined"], read_only=True) as reg:
        frame = survival_frame(reg).frame
    # The patterns do find the registry's IDs and dates, so their absence from the files means something.
    assert re.search(ID_PATTERN, frame["patient_id"][0])
    assert re.search(DATE_PATTERN, str(combined_rows()["origin_date"][0]))
    runner = CliRunner()
    for site in SITES:
        out = tmp_path / f"{site}.json"
        result = runner.invoke(cli, ["federate", "summarise", "--db", registries[site], "--out", str(out),
                                     "--site-label", site])
        assert result.exit_code == 0, result.output
        text = out.read_text(encoding="utf-8")
        assert json.loads(text)["format"] == FORMAT
        assert re.findall(ID_PATTERN, text) == []
        assert re.findall(DATE_PATTERN, text) == []


def test_groups_below_min_cell_are_left_out_and_only_counted(registries, summaries, combined):
    with Registry.open(registries["west"], read_only=True) as reg:
        sizes = survival_frame(reg).frame.group_by("group").len()
        threshold = int(sizes["len"].min()) + 1  # the smallest group falls under the threshold
        summary = site_summary(reg, min_cell=threshold, site_label="west")
    small = sizes.filter(pl.col("len") < threshold)["group"].to_list()
    assert summary["suppressed_groups"] == len(small)
    assert [g["group"] for g in summary["groups"]] == [g for g in ("P1", "P2-4", "P5") if g not in small]
    assert all(g["n"] >= threshold for g in summary["groups"])
    # Pooling then equals the combined analysis without the suppressed rows, and says what was left out.
    pooled = pool_summaries([*summaries[:2], summary])
    kept = combined.filter(~((pl.col("site") == "west") & pl.col("group").is_in(small)))
    direct = fit_cox(kept, terms=["group"], reference={"group": "P1"}, strata="site")
    assert pooled.cox is not None
    np.testing.assert_allclose(pooled.cox.coef, direct.coef, rtol=TOL)
    assert pooled.notes == [f"west: {len(small)} small group(s) suppressed"]


def test_min_cell_defaults_to_the_registry_setting(backend, registry_templates, registries, tmp_path):
    with Registry.open(registry_templates.copy(backend, tmp_path, name="fed_west")) as reg:
        reg.set_setting("min_cell_count", "1000")
        assert site_summary(reg)["groups"] == []
        assert site_summary(reg)["suppressed_groups"] == 3


def test_coarsened_times_give_close_but_not_equal_results(registries, summaries):
    coarse = []
    for site in SITES:
        with Registry.open(registries[site], read_only=True) as reg:
            coarse.append(site_summary(reg, coarsen="months"))
    assert all(t == int(t) for g in coarse[0]["groups"] for t in g["time"])  # whole months
    exact, approx = pool_summaries(summaries), pool_summaries(coarse)
    assert exact.cox is not None
    assert approx.cox is not None
    assert not np.allclose(approx.cox.coef, exact.cox.coef, rtol=TOL, atol=0)
    np.testing.assert_allclose(approx.cox.coef, exact.cox.coef, atol=0.05)
    assert approx.logrank.chisq == pytest.approx(exact.logrank.chisq, rel=0.05)
    medians = approx.km_summary["median"].to_numpy() - exact.km_summary["median"].to_numpy()
    assert np.all(np.abs(medians) <= 1.0)  # within the one-month width


def test_pool_refuses_files_with_different_endpoints(registries, summaries):
    with Registry.open(registries["west"], read_only=True) as reg:
        pfs = site_summary(reg, endpoint="pfs")
    with pytest.raises(AnalysisError, match="differ in endpoint"):
        pool_summaries([*summaries[:2], pfs])


def test_pool_refuses_a_file_that_is_not_a_site_summary(summaries):
    with pytest.raises(AnalysisError, match="not a netpet-site-summary"):
        pool_summaries([summaries[0], {"groups": []}])


def test_bad_coarsening_names_the_choices(registries):
    with Registry.open(registries["west"], read_only=True) as reg, pytest.raises(AnalysisError, match="months"):
        site_summary(reg, coarsen="fortnights")


@pytest.mark.postgres
def test_a_postgresql_site_pools_with_file_sites(postgres_server, registries, summaries):
    url = postgres_server.migrated_database()
    with Registry.open(url) as reg:
        fill_registry(reg, site_rows("west"))
        on_server = site_summary(reg, site_label="west")
    assert on_server == summaries[2]
    with Registry.open(registries["combined"], read_only=True) as reg:
        frame = survival_frame(reg, covariates=["site"]).frame
    cox = pool_summaries([*summaries[:2], on_server]).cox
    assert cox is not None
    direct = fit_cox(frame, terms=["group"], reference={"group": "P1"}, strata="site")
    np.testing.assert_allclose(cox.coef, direct.coef, rtol=TOL)


def test_pool_command_prints_medians_tests_and_cox_terms(registries, tmp_path):
    runner = CliRunner()
    files = []
    for site in SITES:
        files.append(str(tmp_path / f"{site}.json"))
        result = runner.invoke(cli, ["federate", "summarise", "--db", registries[site], "--out", files[-1]])
        assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["federate", "pool", *files, "--out", str(tmp_path / "pooled")])
    assert result.exit_code == 0, result.output
    for text in ("P2-4", "log-rank", "netpet_group=P5", "median"):
        assert text in result.output
    written = sorted(p.name for p in (tmp_path / "pooled").iterdir())
    assert written == ["cox.csv", "km_summary.csv", "km_table.csv", "pooled.json"]
    as_json = runner.invoke(cli, ["federate", "pool", *files, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    payload = json.loads(as_json.output)
    assert [s["n"] for s in payload["sites"]] == [site_rows(s).height for s in SITES]
    assert payload["cox"]["coefficients"][0]["term"] == "netpet_group=P2-4"


def test_pool_command_explains_an_unreadable_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("not json", encoding="utf-8")
    result = CliRunner().invoke(cli, ["federate", "pool", str(bad)])
    assert result.exit_code == 1
    assert "bad.json is not a site summary" in result.output
