from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = None

def root(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_step = resolve('step')
    l_0_me = resolve('me')
    pass
    if (environment.getattr((undefined(name='step') if l_0_step is missing else l_0_step), 'stage') == 'Thanked'):
        pass
        yield 'A short update on my search'
    else:
        pass
        yield 'Following up: '
        yield str(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'meeting_length'))
        yield ' of your advice'

blocks = {}
debug_info = '1=13'