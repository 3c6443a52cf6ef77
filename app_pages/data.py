"""Data page: the bundled sample, an uploaded CSV or Excel file, or generated data; a preview and a scatter plot."""

import streamlit as st

from polyreg_app import data_source, display, state
from polyreg_app.charts import data_scatter
from polyreg_app.messages import error_text, escape_markdown
from polyreg_core.data import SAMPLE_SEED
from polyreg_core.i18n import t
from polyreg_core.reports import bad_cell_lines, dropped_report, format_note, header_notes, not_offered_note

# .xls is accepted by the browser only so that the parser can explain why it cannot be read.
UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "xls"]

lang = state.lang()
limits, limits_error = data_source.limits()


def upload_section() -> None:
    max_mb = data_source.upload_limit_mb(limits)
    upload = st.file_uploader(
        t("data.upload_label", lang), type=UPLOAD_TYPES, key="data_upload", max_upload_size=max_mb
    )
    # The environment variables that change these limits are for the server's operator, so the
    # README names them and the page does not.
    st.caption(t("data.upload_limits", lang, mb=max_mb, rows=limits.max_rows))
    with st.spinner(t("data.reading", lang)):
        replaced = data_source.read_upload(upload, limits)
    if replaced:
        st.rerun()  # so that the sidebar, drawn before this page, shows the new dataset

    error = st.session_state.get("upload_error")
    if error is not None:
        st.error(error_text(error, lang))
        st.info(t("data.kept_previous", lang, name=escape_markdown(st.session_state.dataset.name)))
    table = st.session_state.get("data_table")
    if table is None:
        if upload is None:
            st.info(t("data.upload_prompt", lang))
        return

    st.caption(format_note(table, lang, escape_markdown))
    for note in header_notes(table, lang, escape_markdown):
        st.info(note)
    if table.needs_column_choice:
        column_pickers(table)
    reference_editor()
    data_source.apply_column_choice()
    choice_error = st.session_state.get("data_choice_error")
    if choice_error is not None:
        st.error(error_text(choice_error, lang))
        st.info(t("data.kept_previous", lang, name=escape_markdown(st.session_state.dataset.name)))


def column_pickers(table) -> None:
    st.write(t("data.choose_columns", lang))
    left, right = st.columns(2)
    rebuild = {"on_change": data_source.apply_column_choice}
    left.selectbox(t("data.x_column", lang), table.numeric_columns, key="data_x_column", **rebuild)
    right.selectbox(t("data.y_column", lang), table.numeric_columns, key="data_y_column", **rebuild)
    others = not_offered_note(table, lang, escape_markdown)
    if others:
        st.caption(others)


def reference_editor() -> None:
    rebuild = {"on_change": data_source.apply_column_choice}
    on = st.checkbox(t("data.reference_on", lang), key="data_ref_on", **rebuild)
    left, right = st.columns(2)
    left.number_input(t("data.reference_a", lang), step=0.1, format="%.4f", key="data_ref_a", disabled=not on, **rebuild)
    right.number_input(t("data.reference_b", lang), step=0.1, format="%.4f", key="data_ref_b", disabled=not on, **rebuild)


def generator_section() -> None:
    st.subheader(t("data.generator_title", lang))
    # Each change draws the data again before app.py draws the sidebar's summary of it.
    regenerate = {"on_change": data_source.apply_generator, "args": (limits,)}
    c1, c2, c3 = st.columns(3)
    c1.number_input("a (x²)", step=0.1, format="%.4f", key="data_gen_a", **regenerate)
    c2.number_input("b (x)", step=0.1, format="%.4f", key="data_gen_b", **regenerate)
    c3.number_input("c", step=0.1, format="%.4f", key="data_gen_c", **regenerate)
    c1, c2, c3 = st.columns(3)
    noise = c1.radio(
        t("data.noise", lang), ["uniform", "normal"], format_func=lambda n: t(f"data.noise_{n}", lang), key="data_gen_noise", **regenerate
    )
    if noise == "uniform":
        c2.number_input(t("data.noise_low", lang), step=0.01, format="%.4f", key="data_gen_low", **regenerate)
        c3.number_input(t("data.noise_high", lang), step=0.01, format="%.4f", key="data_gen_high", **regenerate)
    else:
        c2.number_input(t("data.noise_std", lang), min_value=0.0, step=0.1, format="%.4f", key="data_gen_std", **regenerate)
    c1, c2, c3, c4 = st.columns(4)
    c1.number_input(t("data.x_min", lang), step=1.0, format="%.4f", key="data_gen_x_min", **regenerate)
    c2.number_input(t("data.x_max", lang), step=1.0, format="%.4f", key="data_gen_x_max", **regenerate)
    c3.number_input(t("data.points", lang), min_value=2, max_value=limits.max_rows, step=100, key="data_gen_points", **regenerate)
    c4.number_input(t("data.seed", lang), min_value=0, max_value=2**32 - 1, step=1, key="data_gen_seed", **regenerate)

    data_source.apply_generator(limits)
    error = st.session_state.get("data_gen_error")
    if error is not None:
        st.error(error_text(error, lang))
        st.info(t("data.kept_previous", lang, name=escape_markdown(st.session_state.dataset.name)))
        return
    spec = st.session_state.data_gen_spec
    st.caption(t("data.generator_caption", lang, n=spec.n_points, start=spec.x_start, step=spec.x_step, seed=spec.seed))


def dataset_section() -> None:
    dataset = st.session_state.dataset
    names = {"name": dataset.name, "x": dataset.x_column, "y": dataset.y_column}
    st.success(t("data.loaded", lang, rows=len(dataset), **{k: escape_markdown(v) for k, v in names.items()}))
    report = dropped_report(dataset, lang)
    if report:
        examples = "\n".join(f"- {line}" for line in bad_cell_lines(dataset, lang, escape_markdown))
        st.warning(f"{report}\n\n{examples}")
    st.caption(reference_line(dataset.reference))

    left, right = st.columns([1, 2])
    with left:
        st.subheader(t("data.preview", lang))
        st.dataframe(dataset.frame().head(20), hide_index=True)
        if st.session_state.data_source == "generate":
            csv = dataset.frame().to_csv(index=False).encode("utf-8")
            st.download_button(t("data.download", lang), csv, f"{dataset.name}.csv", "text/csv", key="data_download")
    with right:
        shown = data_source.plotted(dataset)
        if len(shown) < len(dataset):
            st.caption(t("data.plot_subset", lang, shown=len(shown), rows=len(dataset)))
        display.plotly_chart(data_scatter(shown, lang), key="data_scatter")


def reference_line(reference) -> str:
    if reference is None:
        return t("data.no_reference", lang)
    a, b = reference.weights
    curve = f"y = {a:g}x² {_signed(b)}x"
    if reference.bias is not None:
        curve += f" {_signed(reference.bias)}"
    return t("data.reference_line", lang, curve=curve)


def _signed(value: float) -> str:
    return f"{'−' if value < 0 else '+'} {abs(value):g}"


st.title(t("data.title", lang))
st.caption(t("data.intro", lang))
if limits_error is not None:
    st.error(error_text(limits_error, lang))

source = st.radio(
    t("data.source", lang),
    ["sample", "upload", "generate"],
    format_func=lambda s: t(f"data.source_{s}", lang),
    key="data_source",
    horizontal=True,
    on_change=data_source.switch_source,
    args=(limits,),
)
if source == "sample":
    st.caption(t("data.sample_caption", lang, seed=SAMPLE_SEED))
elif source == "upload":
    upload_section()
else:
    generator_section()

dataset_section()
st.page_link("app_pages/train.py", label=t("data.next_step", lang), icon=":material/arrow_forward:")
