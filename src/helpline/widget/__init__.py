"""The widget's look and pre-chat form, as admins set them in the console."""
