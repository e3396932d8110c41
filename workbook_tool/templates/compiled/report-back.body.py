from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = None

def root(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_contact = resolve('contact')
    l_0_report_back = resolve('report_back')
    l_0_me = resolve('me')
    try:
        t_1 = environment.filters['default']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'default' found.")
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
    yield ',\n\n'
    l_1_loop = missing
    for l_1_person, l_1_loop in LoopContext(environment.call(context, environment.guard_loop, (undefined(name='report_back') if l_0_report_back is missing else l_0_report_back)), undefined):
        _loop_vars = {}
        pass
        if environment.getattr(l_1_loop, 'first'):
            pass
            yield 'Thank you again for putting me in touch with '
            yield str(environment.getattr(l_1_person, 'name'))
            if environment.getattr(l_1_person, 'organization'):
                pass
                yield ' at '
                yield str(environment.getattr(l_1_person, 'organization'))
            yield ': we met'
        else:
            pass
            yield str(environment.getattr(l_1_person, 'name'))
            yield ' and I met too'
        if environment.getattr(l_1_person, 'meeting_on'):
            pass
            yield ' on '
            yield str(t_3(context, environment.getattr(l_1_person, 'meeting_on')))
        if environment.getattr(l_1_person, 'helpful'):
            pass
            yield ', and what helped me most was '
            yield str(t_4(environment.getattr(l_1_person, 'helpful')))
        yield '. '
    l_1_loop = l_1_person = missing
    yield 'Your introduction made that conversation possible.\n\nMy search goes on: I am still looking for '
    yield str(t_1(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'seeking'), 'a new position'))
    yield ', and I will keep you posted.\n\nBest regards,\n'
    if environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'signature'):
        pass
        yield str(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'signature'))
    else:
        pass
        yield str(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'your_name'))
    yield '\n'

blocks = {}
debug_info = '1=39&3=42&5=69&8=71'