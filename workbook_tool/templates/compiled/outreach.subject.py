from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = None

def root(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_referrer = resolve('referrer')
    l_0_me = resolve('me')
    pass
    if (undefined(name='referrer') if l_0_referrer is missing else l_0_referrer):
        pass
        yield str(environment.getattr((undefined(name='referrer') if l_0_referrer is missing else l_0_referrer), 'name'))
        yield ' suggested I contact you'
    else:
        pass
        yield 'A request for '
        yield str(environment.getattr((undefined(name='me') if l_0_me is missing else l_0_me), 'meeting_length'))
        yield ' of your advice'

blocks = {}
debug_info = '1=13'