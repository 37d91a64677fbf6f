import datetime
import itertools

import factory

from cadre import services
from cadre.choices import Gender, Role, StaffingType, UnitKind, UnitLevel
from cadre.crypto import id_number_with_check
from cadre.models import Cadre, PostLevel, User

_id_seq = itertools.count(1)


def make_id_number(birth=datetime.date(1980, 1, 1)):
    first17 = f"110101{birth:%Y%m%d}{next(_id_seq) % 1000:03d}"
    return id_number_with_check(first17)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cadre.Unit"

    name = factory.Sequence(lambda n: f"测试单位{n}")
    code = factory.Sequence(lambda n: f"U{n:05d}")
    kind = UnitKind.DEPARTMENT
    level = UnitLevel.COUNTY
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.unit_create(**kwargs)


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre

    name = factory.Sequence(lambda n: f"干部{n}")
    gender = Gender.MALE
    birth_date = datetime.date(1980, 1, 1)
    staffing_type = StaffingType.ADMINISTRATIVE
    unit = factory.SubFactory(UnitFactory)
    post = "科员"
    post_level = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs.setdefault("id_number", make_id_number(kwargs["birth_date"]))
        return services.cadre_create(**kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.gov.cn")
    roles = factory.LazyFunction(lambda: [Role.ORGANISATION])
    password = factory.PostGenerationMethodCall("set_password", "Secret-pass-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def level(code):
    return PostLevel.objects.get(code=code)
