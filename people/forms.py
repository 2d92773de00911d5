"""Forms an officer fills in about people and posts: every choice is limited to their own partnership."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation

from accounts.emails import EmailAddressField
from accounts.models import User
from people.models import Membership, Organisation, Partnership, Post
from send_tracker.forms import FilterForm

# Roles an officer may give: the partnership's three. Nothing here can make an install administrator.
ROLE_CHOICES = Membership.Role.choices


def organisation_field() -> forms.ModelChoiceField:
    """A person's or post's organisation, one of the partnership's (PartnershipChoicesMixin limits it)."""
    return forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Not given",
        error_messages={"invalid_choice": "Choose one of this partnership's organisations"},
    )


class PostsField(forms.ModelMultipleChoiceField):
    """Each post with its organisation, as the action page names an owner: two posts of one title in different
    organisations ("Designated Clinical Officer") are told apart. The form's queryset selects the organisation."""

    ungrouped = "Posts of no organisation"

    def label_from_instance(self, post: Post) -> str:
        return f"{post.title} ({post.organisation.name})" if post.organisation_id else post.title

    # Ticked under their organisations (send_tracker/page_tags.py draws the groups): each named by its title there.
    def group_of(self, post: Post) -> str:
        return post.organisation.name if post.organisation_id else ""

    def label_in_group(self, post: Post) -> str:
        return post.title


def posts_field(label: str, help_text: str = "") -> forms.ModelMultipleChoiceField:
    """Posts of the partnership, as ticks; the form limits the choices to the partnership's posts."""
    return PostsField(
        label=label,
        queryset=Post.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=help_text,
        error_messages={"invalid_choice": "Choose posts of this partnership", "invalid_pk_value": "Choose posts of this partnership"},
    )


class PartnershipChoicesMixin:
    """A form made for one partnership (`partnership=`): its organisation and posts offer that partnership's alone."""

    def __init__(self, *args, partnership: Partnership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.limit_to(partnership)

    def limit_to(self, partnership: Partnership) -> None:
        if "organisation" in self.fields:
            self.fields["organisation"].queryset = Organisation.objects.filter(partnership=partnership).order_by("name")
        if "posts" in self.fields:
            self.fields["posts"].queryset = Post.objects.filter(partnership=partnership).select_related("organisation").order_by("title")


class InvitationForm(PartnershipChoicesMixin, forms.Form):
    email = EmailAddressField(
        label="Email address",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    organisation = organisation_field()
    role = forms.ChoiceField(
        label="Role",
        choices=ROLE_CHOICES,
        error_messages={"required": "Choose their role", "invalid_choice": "Choose one of the roles listed"},
    )
    posts = posts_field("Posts", help_text="The job titles in the plan they will hold.")


class PersonForm(PartnershipChoicesMixin, forms.Form):
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES, error_messages={"invalid_choice": "Choose one of the roles listed"})
    job_title = forms.CharField(label="Job title", max_length=200, required=False)
    organisation = organisation_field()
    posts = posts_field("Posts")


class PeopleFilterForm(FilterForm):
    organisation = forms.TypedChoiceField(label="Organisation", required=False, coerce=int, empty_value=None)
    role = forms.ChoiceField(label="Role", required=False, choices=[("", "Any role"), *ROLE_CHOICES])

    def __init__(self, data, *, partnership: Partnership) -> None:
        super().__init__(data)
        organisations = Organisation.objects.filter(partnership=partnership).order_by("name").values_list("pk", "name")
        self.fields["organisation"].choices = [("", "Any organisation"), *organisations]


class PostForm(PartnershipChoicesMixin, forms.Form):
    title = forms.CharField(label="Title", max_length=300, error_messages={"required": "Enter the post's title, as the plan writes it"})
    organisation = organisation_field()
    to_be_allocated = forms.BooleanField(label="To be allocated: nobody holds this post yet", required=False)


class HandOverForm(forms.Form):
    successor = forms.ModelChoiceField(
        label="New holder",
        queryset=User.objects.none(),
        error_messages={"required": "Choose who takes the post over", "invalid_choice": "Choose a member of this partnership"},
    )

    def __init__(self, *args, partnership: Partnership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = User.objects.filter(memberships__partnership=partnership, is_active=True).order_by(
            "first_name", "last_name", "email"
        )


class MergeForm(forms.Form):
    keep = forms.ModelChoiceField(
        label="Merge into",
        queryset=Post.objects.none(),
        error_messages={"required": "Choose the post to keep", "invalid_choice": "Choose another post of this partnership"},
    )

    def __init__(self, *args, post: Post, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = Post.objects.filter(partnership_id=post.partnership_id).exclude(pk=post.pk).order_by("title")


class AcceptForm(forms.Form):
    """Choose a password, checked by the same validators as every other password."""

    password1 = forms.CharField(
        label="Create a password", strip=False, widget=forms.PasswordInput, error_messages={"required": "Enter a password"}
    )
    password2 = forms.CharField(
        label="Confirm your password", strip=False, widget=forms.PasswordInput, error_messages={"required": "Enter the password again"}
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    @classmethod
    def for_invitation(cls, data, invitation) -> AcceptForm:
        """The form for someone new, checked against the account the invitation will make (its email and names)."""
        email = invitation.email
        return cls(data, user=User(email=email, username=email, first_name=invitation.first_name, last_name=invitation.last_name))

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The passwords do not match")
        elif first:
            try:
                password_validation.validate_password(first, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
