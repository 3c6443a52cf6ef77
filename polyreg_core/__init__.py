"""polyreg core: data, features, model, training and reference maths, with no UI code.

The Streamlit pages and the command line both build on this package; it never imports
streamlit.
"""
