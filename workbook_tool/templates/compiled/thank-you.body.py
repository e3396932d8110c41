from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = None

def root(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_contact = resolve('contact')
    l_0_referrer = resolve('referrer')
    l_0_recommended = resolve('recommended')
    l_0_me = resolve('me')
    try:
        t_1 = environment.filters['and_list']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'and_list' found.")
    try:
        t_2 = environment.filters['first_name']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'first_name' found.")
    try:
        t_3 = environment.filters['longdate']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'longdate' found.")
    try:
        t_4 = environment.filters['phrase']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'phrase' found.")
    pass
    yield 'Dear '
    yield str(t_2(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'name')))
    yield ',\n\nThank you for taking the time to talk with me'
    if environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'meeting_on'):
        pass
        yield ' on '
        yield str(t_3(context, environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'meeting_on')))
    if (undefined(name='referrer') if l_0_referrer is missing else l_0_referrer):
        pass
        yield ', as '
        yield str(environment.getattr((undefined(name='referrer') if l_0_referrer is missing else l_0_referrer), 'name'))
        yield ' suggested'
    elif environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'via'):
        pass
        yield ', as '
        yield str(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'via_phrase'))
        yield ' suggested'
    yield '. What I found most helpful was '
    yield str(t_4(environment.getattr((undefined(name='contact') if l_0_contact is missing else l_0_contact), 'helpful')))
    yield '.'
    if (undefined(name='recommended') if l_0_recommended is missing else l_0_recommended):
        pass
        yield ' Thank you also for suggesting '
        yield str(t_1((undefined(name='recommended') if l_0_recommended is missing else l_0_recommended)))
        yield '; I will get in touch soon.'
    yield '\n\nI will let you know how my search goes.\n\nBest regards,\n'
    if environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'signature'):
        pass
        yield str(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'signature'))
    else:
        pass
        yield str(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'your_name'))
    yield '\n'

blocks = {}
debug_info = '1=40&3=42&8=65'